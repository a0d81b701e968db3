#!/usr/bin/python3
"""Writes test/fixtures/tiny-gemma3/: a tiny Gemma 3 text decoder (random weights, NOT Gemma)
for the playground's Transformers.js engine tests, and its greedy output for a fixed prompt.

Run once; its outputs are committed and CI never runs it:

    apt-get install -y python3-onnx python3-numpy   # Debian's packages (PyPI is not needed)
    /usr/bin/python3 scripts/make-tiny-gemma3.py

The prompt is test/fixtures/tiny-gemma3/prompt.txt: what the playground's Gemma 3 format builds
for the single user message "How warm is the kitchen?" with the demo tools. When that format
changes, test/node/playground/transformers.test.ts says so and writes the new prompt there;
rerun this script then (same seed, same weights, new expected output).

What it writes:
  config.json, generation_config.json   model_type gemma3_text, 2 layers (one sliding-window,
                                        one global), hidden 64, 4 query heads over 1 KV head
  tokenizer.json, tokenizer_config.json BPE with byte fallback: Gemma's special tokens, the 256
                                        bytes, printable ASCII and a few word pieces
  onnx/model.onnx                       the decoder as Transformers.js runs decoder-only models:
                                        input_ids, attention_mask, position_ids,
                                        past_key_values.{i}.key/value -> logits, present.{i}.key/value
  expected.json                         the prompt's token ids and the greedy continuation (ids
                                        and text), computed here by a NumPy forward pass that
                                        recomputes the whole sequence each step (no KV cache), so
                                        it checks the graph's cache path independently

The graph is Gemma 3's: token embedding times sqrt(hidden), RMSNorm with (1 + weight), grouped-
query attention with RoPE (local base 10k on the sliding layer, 1M on the global one), q/k
RMSNorm, scaling by query_pre_attn_scalar^-0.5, GeGLU MLP with tanh-approximated GELU, pre and
post norms around attention and MLP, a final norm and an lm_head (untied: with random weights a tied head only repeats the last token).
Weights come from a fixed seed; the seed search below keeps the first seed whose greedy output
for the prompt holds a few distinct ASCII tokens, with clear logit margins (so
float32 rounding in another runtime cannot flip an argmax).
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'tiny-gemma3')
NAME = 'tiny-random-gemma3-test'

HIDDEN, INTER, LAYERS, HEADS, KV_HEADS, HEAD_DIM = 64, 128, 2, 4, 1, 16
LAYER_TYPES = ['sliding_attention', 'full_attention']
SLIDING_WINDOW = 48
ROPE_GLOBAL, ROPE_LOCAL = 1_000_000.0, 10_000.0
EPS = 1e-6
QUERY_PRE_ATTN_SCALAR = HEAD_DIM
MAX_NEW = 20  # greedy tokens generated for the fixture (or fewer, when <end_of_turn> comes first)
MIN_DISTINCT = 4  # distinct tokens the answer must hold, so a cache bug cannot hide in a repeated token
MARGIN = 0.05  # smallest top-1 minus top-2 logit allowed at every generated step
FIRST_SEED = 20240601

# ---------------------------------------------------------------- tokenizer
SPECIALS = ['<pad>', '<eos>', '<bos>', '<unk>', '<start_of_turn>', '<end_of_turn>']
PAD, EOS, BOS, UNK, SOT, EOT = range(6)
WORDS = ['the', 'tool', 'call', 'name', 'room', 'you', 'user', 'model', 'arguments', 'kitchen', 'temperature',
         'string', 'object', 'type', 'description', 'properties', 'required', 'ing', 'ed', 'er', 'on', 'an', 'in']


def build_vocab():
    vocab = {t: i for i, t in enumerate(SPECIALS)}
    for b in range(256):
        vocab[f'<0x{b:02X}>'] = len(vocab)
    for piece in ['\n', '▁'] + [chr(c) for c in range(0x21, 0x7F)]:
        vocab.setdefault(piece, len(vocab))
    merges = []
    for word in WORDS:  # '▁word' and 'word', merged left to right one character at a time
        for chars in (['▁'] + list(word), list(word)):
            left = chars[0]
            for c in chars[1:]:
                merged = left + c
                if merged not in vocab:
                    vocab[merged] = len(vocab)
                    merges.append((left, c))
                left = merged
    return vocab, merges


VOCAB, MERGES = build_vocab()
ID_TO_PIECE = {i: p for p, i in VOCAB.items()}
V = len(VOCAB)


def bpe(symbols):
    ranks = {pair: i for i, pair in enumerate(MERGES)}
    while len(symbols) > 1:
        best = min(range(len(symbols) - 1), key=lambda i: ranks.get((symbols[i], symbols[i + 1]), 1 << 30))
        pair = (symbols[best], symbols[best + 1])
        if pair not in ranks:
            break
        merged, out, i = pair[0] + pair[1], [], 0
        while i < len(symbols):
            if i < len(symbols) - 1 and (symbols[i], symbols[i + 1]) == pair:
                out.append(merged)
                i += 2
            else:
                out.append(symbols[i])
                i += 1
        symbols = out
    return symbols


def encode(text):
    """<bos>, then the text split at special tokens; each other span normalized (' ' -> '▁') and BPE'd with byte fallback."""
    ids = [BOS]
    i, span = 0, ''
    while i <= len(text):
        special = next((s for s in SPECIALS if text.startswith(s, i)), None) if i < len(text) else None
        if i == len(text) or special:
            if span:
                for piece in bpe(list(span.replace(' ', '▁'))):
                    if piece in VOCAB:
                        ids.append(VOCAB[piece])
                    else:
                        ids.extend(VOCAB[f'<0x{b:02X}>'] for b in piece.encode('utf-8'))
                span = ''
            if i == len(text):
                break
            ids.append(VOCAB[special])
            i += len(special)
        else:
            span += text[i]
            i += 1
    return ids


def decode(ids):
    out, pending = '', b''
    for i in ids:
        piece = ID_TO_PIECE[i]
        if i < len(SPECIALS):
            continue
        if piece.startswith('<0x') and piece.endswith('>') and len(piece) == 6:
            pending += bytes([int(piece[3:5], 16)])
            continue
        out += pending.decode('utf-8', errors='replace') + piece.replace('▁', ' ')
        pending = b''
    return out + pending.decode('utf-8', errors='replace')


def tokenizer_json():
    return {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': [{'id': i, 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False,
                          'normalized': False, 'special': True} for i, t in enumerate(SPECIALS)],
        'normalizer': {'type': 'Replace', 'pattern': {'String': ' '}, 'content': '▁'},
        'pre_tokenizer': None,
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [{'SpecialToken': {'id': '<bos>', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}}],
            'pair': [{'SpecialToken': {'id': '<bos>', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                     {'SpecialToken': {'id': '<bos>', 'type_id': 1}}, {'Sequence': {'id': 'B', 'type_id': 1}}],
            'special_tokens': {'<bos>': {'id': '<bos>', 'ids': [BOS], 'tokens': ['<bos>']}},
        },
        'decoder': {'type': 'Sequence', 'decoders': [
            {'type': 'Replace', 'pattern': {'String': '▁'}, 'content': ' '},
            {'type': 'ByteFallback'},
            {'type': 'Fuse'},
        ]},
        'model': {'type': 'BPE', 'dropout': None, 'unk_token': '<unk>', 'continuing_subword_prefix': None,
                  'end_of_word_suffix': None, 'fuse_unk': True, 'byte_fallback': True, 'ignore_merges': False,
                  'vocab': VOCAB, 'merges': [[a, b] for a, b in MERGES]},
    }


# ---------------------------------------------------------------- weights
def make_weights(seed):
    rng = np.random.default_rng(seed)
    n = lambda *shape, std: (rng.standard_normal(shape) * std).astype(np.float32)
    # An lm_head of its own: tied to the embedding, random weights just repeat the last token.
    w = {'embed': n(V, HIDDEN, std=0.5), 'final_norm': n(HIDDEN, std=0.1), 'lm_head': n(HIDDEN, V, std=HIDDEN ** -0.5 * 16)}
    for l in range(LAYERS):
        w[f'{l}.in_norm'] = n(HIDDEN, std=0.1)
        w[f'{l}.q'] = n(HIDDEN, HEADS * HEAD_DIM, std=HIDDEN ** -0.5)
        w[f'{l}.k'] = n(HIDDEN, KV_HEADS * HEAD_DIM, std=HIDDEN ** -0.5)
        w[f'{l}.v'] = n(HIDDEN, KV_HEADS * HEAD_DIM, std=HIDDEN ** -0.5)
        w[f'{l}.o'] = n(HEADS * HEAD_DIM, HIDDEN, std=(HEADS * HEAD_DIM) ** -0.5)
        w[f'{l}.q_norm'] = n(HEAD_DIM, std=0.1)
        w[f'{l}.k_norm'] = n(HEAD_DIM, std=0.1)
        w[f'{l}.post_attn_norm'] = n(HIDDEN, std=0.1)
        w[f'{l}.pre_ff_norm'] = n(HIDDEN, std=0.1)
        w[f'{l}.post_ff_norm'] = n(HIDDEN, std=0.1)
        w[f'{l}.gate'] = n(HIDDEN, INTER, std=HIDDEN ** -0.5)
        w[f'{l}.up'] = n(HIDDEN, INTER, std=HIDDEN ** -0.5)
        w[f'{l}.down'] = n(INTER, HIDDEN, std=INTER ** -0.5)
    # Byte-fallback pieces and special tokens (but <end_of_turn>) get a zero logit, so greedy text is printable.
    w['lm_head'][:, [i for i in range(V) if i < len(SPECIALS) and i != EOT or ID_TO_PIECE[i].startswith('<0x')]] = 0.0
    return w


# ---------------------------------------------------------------- NumPy reference
def rms(x, weight):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + EPS) * (1.0 + weight)


def gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(np.float32(np.sqrt(2.0 / np.pi)) * (x + np.float32(0.044715) * x ** 3)))


def rope(x, positions, base):
    inv = (1.0 / base ** (np.arange(0, HEAD_DIM, 2, dtype=np.float32) / HEAD_DIM)).astype(np.float32)
    freqs = positions[:, None].astype(np.float32) * inv[None, :]
    emb = np.concatenate([freqs, freqs], axis=-1)
    cos, sin = np.cos(emb), np.sin(emb)
    half = HEAD_DIM // 2
    rotated = np.concatenate([-x[..., half:], x[..., :half]], axis=-1)
    return x * cos + rotated * sin


def forward(w, ids):
    """Logits of the last position, for the whole sequence at once (Transformers.js numbers Gemma 3 positions from 1)."""
    t = len(ids)
    positions = np.arange(1, t + 1)
    h = w['embed'][ids] * np.float32(np.sqrt(HIDDEN))
    i, j = np.arange(t)[:, None], np.arange(t)[None, :]
    for l in range(LAYERS):
        allowed = j <= i
        if LAYER_TYPES[l] == 'sliding_attention':
            allowed &= (i - j) < SLIDING_WINDOW
        base = ROPE_LOCAL if LAYER_TYPES[l] == 'sliding_attention' else ROPE_GLOBAL
        x = rms(h, w[f'{l}.in_norm'])
        q = (x @ w[f'{l}.q']).reshape(t, HEADS, HEAD_DIM).transpose(1, 0, 2)
        k = (x @ w[f'{l}.k']).reshape(t, KV_HEADS, HEAD_DIM).transpose(1, 0, 2)
        v = (x @ w[f'{l}.v']).reshape(t, KV_HEADS, HEAD_DIM).transpose(1, 0, 2)
        q = rope(rms(q, w[f'{l}.q_norm']), positions, base)
        k = rope(rms(k, w[f'{l}.k_norm']), positions, base)
        k = np.repeat(k, HEADS // KV_HEADS, axis=0)
        v = np.repeat(v, HEADS // KV_HEADS, axis=0)
        scores = q @ k.transpose(0, 2, 1) * np.float32(QUERY_PRE_ATTN_SCALAR ** -0.5)
        scores = np.where(allowed[None], scores, np.float32(-1e9))
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        attn = (scores / scores.sum(-1, keepdims=True)) @ v
        attn = attn.transpose(1, 0, 2).reshape(t, HEADS * HEAD_DIM) @ w[f'{l}.o']
        h = h + rms(attn, w[f'{l}.post_attn_norm'])
        x = rms(h, w[f'{l}.pre_ff_norm'])
        mlp = (gelu_tanh(x @ w[f'{l}.gate']) * (x @ w[f'{l}.up'])) @ w[f'{l}.down']
        h = h + rms(mlp, w[f'{l}.post_ff_norm'])
    h = rms(h[-1:], w['final_norm'])
    return (h @ w['lm_head'])[0]


def greedy(w, prompt_ids):
    ids, new, margins = list(prompt_ids), [], []
    for _ in range(MAX_NEW):
        logits = forward(w, ids)
        top2 = np.sort(logits)[-2:]
        margins.append(float(top2[1] - top2[0]))
        nxt = int(np.argmax(logits))
        new.append(nxt)
        ids.append(nxt)
        if nxt in (EOS, EOT):
            break
    return new, min(margins)


# ---------------------------------------------------------------- ONNX graph
class Graph:
    def __init__(self):
        self.nodes, self.inits, self.count = [], [], 0

    def const(self, value, dtype=np.float32, name=None):
        name = name or f'c{self.count}'
        self.count += 1
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def op(self, op_type, *inputs, **attrs):
        self.count += 1
        out = f'{op_type.lower()}_{self.count}'
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], **attrs))
        return out

    def named(self, op_type, out, *inputs, **attrs):
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], **attrs))
        return out

    def rms(self, x, weight_name, w):
        var = self.op('ReduceMean', self.op('Mul', x, x), axes=[-1], keepdims=1)
        inv = self.op('Reciprocal', self.op('Sqrt', self.op('Add', var, self.const(EPS))))
        scale = self.const(1.0 + w[weight_name], name=f'{weight_name}.one_plus_weight')
        return self.op('Mul', self.op('Mul', x, inv), scale)


def build_onnx(w):
    g = Graph()
    int64 = lambda v: g.const(v, np.int64)
    inputs = [
        helper.make_tensor_value_info('input_ids', TensorProto.INT64, ['batch_size', 'sequence_length']),
        helper.make_tensor_value_info('attention_mask', TensorProto.INT64, ['batch_size', 'total_sequence_length']),
        helper.make_tensor_value_info('position_ids', TensorProto.INT64, ['batch_size', 'sequence_length']),
    ]
    outputs = [helper.make_tensor_value_info('logits', TensorProto.FLOAT, ['batch_size', 'sequence_length', V])]
    for l in range(LAYERS):
        for kind in ('key', 'value'):
            inputs.append(helper.make_tensor_value_info(f'past_key_values.{l}.{kind}', TensorProto.FLOAT,
                                                        ['batch_size', KV_HEADS, 'past_sequence_length', HEAD_DIM]))
            outputs.append(helper.make_tensor_value_info(f'present.{l}.{kind}', TensorProto.FLOAT,
                                                         ['batch_size', KV_HEADS, 'total_sequence_length', HEAD_DIM]))

    embed = g.const(w['embed'], name='model.embed_tokens.weight')
    h = g.op('Mul', g.op('Gather', embed, 'input_ids', axis=0), g.const(np.sqrt(HIDDEN)))

    # Sizes: S new tokens, T = past + S keys.
    zero, one = int64(0), int64(1)
    seq = g.op('Gather', g.op('Shape', 'input_ids'), one, axis=0)
    total = g.op('Gather', g.op('Shape', 'attention_mask'), one, axis=0)
    q_idx = g.op('Range', g.op('Sub', total, seq), total, one)  # absolute index of each query
    k_idx = g.op('Range', zero, total, one)
    q_col = g.op('Unsqueeze', q_idx, int64([1]))  # [S, 1]
    k_row = g.op('Unsqueeze', k_idx, int64([0]))  # [1, T]
    causal = g.op('LessOrEqual', k_row, q_col)  # [S, T]
    in_window = g.op('Less', g.op('Sub', q_col, k_row), int64(SLIDING_WINDOW))
    padding = g.op('Unsqueeze', g.op('Cast', 'attention_mask', to=TensorProto.BOOL), int64([1, 2]))  # [B, 1, 1, T]
    neg, nil = g.const(-1e9), g.const(0.0)
    mask_full = g.op('Where', g.op('And', causal, padding), nil, neg)  # [B, 1, S, T]
    mask_local = g.op('Where', g.op('And', g.op('And', causal, in_window), padding), nil, neg)

    # RoPE tables for both bases: [B, 1, S, D].
    pos = g.op('Unsqueeze', g.op('Cast', 'position_ids', to=TensorProto.FLOAT), int64([2]))  # [B, S, 1]
    tables = {}
    for base in (ROPE_LOCAL, ROPE_GLOBAL):
        inv = (1.0 / base ** (np.arange(0, HEAD_DIM, 2, dtype=np.float32) / HEAD_DIM)).astype(np.float32)
        freqs = g.op('Mul', pos, g.const(inv))
        emb = g.op('Unsqueeze', g.op('Concat', freqs, freqs, axis=-1), int64([1]))
        tables[base] = (g.op('Cos', emb), g.op('Sin', emb))
    half = HEAD_DIM // 2

    def rotate(x, base):
        cos, sin = tables[base]
        x1 = g.op('Slice', x, int64([0]), int64([half]), int64([-1]))
        x2 = g.op('Slice', x, int64([half]), int64([HEAD_DIM]), int64([-1]))
        rotated = g.op('Concat', g.op('Neg', x2), x1, axis=-1)
        return g.op('Add', g.op('Mul', x, cos), g.op('Mul', rotated, sin))

    def heads(x, n):  # [B, S, n*D] -> [B, n, S, D]
        return g.op('Transpose', g.op('Reshape', x, int64([0, 0, n, HEAD_DIM])), perm=[0, 2, 1, 3])

    def repeat_kv(x):  # [B, KV, T, D] -> [B, H, T, D]
        rep = HEADS // KV_HEADS
        x5 = g.op('Unsqueeze', x, int64([2]))
        shape = g.op('Concat', g.op('Slice', g.op('Shape', x5), int64([0]), int64([2]), int64([0])), int64([rep]),
                     g.op('Slice', g.op('Shape', x5), int64([3]), int64([5]), int64([0])), axis=0)
        return g.op('Reshape', g.op('Expand', x5, shape), int64([0, HEADS, -1, HEAD_DIM]))

    for l in range(LAYERS):
        local = LAYER_TYPES[l] == 'sliding_attention'
        base = ROPE_LOCAL if local else ROPE_GLOBAL
        x = g.rms(h, f'{l}.in_norm', w)
        mm = lambda t, name: g.op('MatMul', t, g.const(w[name], name=f'model.layers.{name}.weight'))
        q = rotate(g.rms(heads(mm(x, f'{l}.q'), HEADS), f'{l}.q_norm', w), base)
        k = rotate(g.rms(heads(mm(x, f'{l}.k'), KV_HEADS), f'{l}.k_norm', w), base)
        v = heads(mm(x, f'{l}.v'), KV_HEADS)
        k_all = g.named('Concat', f'present.{l}.key', f'past_key_values.{l}.key', k, axis=2)
        v_all = g.named('Concat', f'present.{l}.value', f'past_key_values.{l}.value', v, axis=2)
        scores = g.op('Mul', g.op('MatMul', q, g.op('Transpose', repeat_kv(k_all), perm=[0, 1, 3, 2])),
                      g.const(QUERY_PRE_ATTN_SCALAR ** -0.5))
        probs = g.op('Softmax', g.op('Add', scores, mask_local if local else mask_full), axis=-1)
        attn = g.op('MatMul', probs, repeat_kv(v_all))  # [B, H, S, D]
        attn = g.op('Reshape', g.op('Transpose', attn, perm=[0, 2, 1, 3]), int64([0, 0, HEADS * HEAD_DIM]))
        h = g.op('Add', h, g.rms(mm(attn, f'{l}.o'), f'{l}.post_attn_norm', w))
        x = g.rms(h, f'{l}.pre_ff_norm', w)
        gate = mm(x, f'{l}.gate')
        cube = g.op('Mul', g.op('Mul', gate, gate), gate)
        inner = g.op('Mul', g.op('Add', gate, g.op('Mul', cube, g.const(0.044715))), g.const(np.sqrt(2.0 / np.pi)))
        gelu = g.op('Mul', g.op('Mul', gate, g.const(0.5)), g.op('Add', g.op('Tanh', inner), g.const(1.0)))
        mlp = mm(g.op('Mul', gelu, mm(x, f'{l}.up')), f'{l}.down')
        h = g.op('Add', h, g.rms(mlp, f'{l}.post_ff_norm', w))
    h = g.rms(h, 'final_norm', w)
    g.named('MatMul', 'logits', h, g.const(w['lm_head'], name='lm_head.weight'))

    graph = helper.make_graph(g.nodes, 'tiny_gemma3_text', inputs, outputs, g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)], producer_name='make-tiny-gemma3.py')
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


# ---------------------------------------------------------------- main
def main():
    with open(os.path.join(OUT, 'prompt.txt'), encoding='utf-8') as f:
        prompt = f.read()
    prompt_ids = encode(prompt)
    assert decode(prompt_ids) == prompt.replace('<start_of_turn>', '').replace('<end_of_turn>', ''), 'tokenizer round trip'
    for seed in range(FIRST_SEED, FIRST_SEED + 500):
        w = make_weights(seed)
        new, margin = greedy(w, prompt_ids)
        words = [i for i in new if i not in (EOS, EOT)]
        ascii_only = all(not ID_TO_PIECE[i].startswith('<0x') for i in words)
        if len(set(words)) >= MIN_DISTINCT and ascii_only and margin >= MARGIN and decode(words).strip():
            break
        print(f'seed {seed}: {len(set(words))} distinct tokens, margin {margin:.3f}: next', file=sys.stderr)
    else:
        sys.exit('no seed found')
    print(f'seed {seed}: {len(words)} tokens, smallest margin {margin:.3f}: {decode(words)!r}')

    os.makedirs(os.path.join(OUT, 'onnx'), exist_ok=True)
    config = {
        'architectures': ['Gemma3ForCausalLM'],
        'model_type': 'gemma3_text',
        '_name_or_path': NAME,
        'offline_consent_test_model': 'Random weights made by scripts/make-tiny-gemma3.py for tests: not Gemma, not a language model.',
        'vocab_size': V,
        'hidden_size': HIDDEN,
        'intermediate_size': INTER,
        'num_hidden_layers': LAYERS,
        'num_attention_heads': HEADS,
        'num_key_value_heads': KV_HEADS,
        'head_dim': HEAD_DIM,
        'query_pre_attn_scalar': QUERY_PRE_ATTN_SCALAR,
        'layer_types': LAYER_TYPES,
        'sliding_window': SLIDING_WINDOW,
        'rope_theta': ROPE_GLOBAL,
        'rope_local_base_freq': ROPE_LOCAL,
        'rms_norm_eps': EPS,
        'hidden_activation': 'gelu_pytorch_tanh',
        'max_position_embeddings': 32768,
        'tie_word_embeddings': False,
        'pad_token_id': PAD,
        'eos_token_id': [EOS, EOT],
        'bos_token_id': BOS,
        'torch_dtype': 'float32',
        'seed': seed,
        'transformers.js_config': {'dtype': 'fp32', 'use_external_data_format': False},
    }
    files = {
        'config.json': config,
        'generation_config.json': {'bos_token_id': BOS, 'eos_token_id': [EOS, EOT], 'pad_token_id': PAD, 'do_sample': False,
                                   'max_new_tokens': MAX_NEW},
        'tokenizer.json': tokenizer_json(),
        'tokenizer_config.json': {
            'tokenizer_class': 'GemmaTokenizer', 'bos_token': '<bos>', 'eos_token': '<eos>', 'pad_token': '<pad>',
            'unk_token': '<unk>', 'add_bos_token': True, 'add_eos_token': False, 'clean_up_tokenization_spaces': False,
            'model_max_length': 32768, 'additional_special_tokens': ['<start_of_turn>', '<end_of_turn>'],
        },
        'expected.json': {
            'comment': 'Greedy output of the NumPy reference in scripts/make-tiny-gemma3.py for prompt.txt (positions from 1, as Transformers.js numbers Gemma 3\'s).',
            'prompt_ids': prompt_ids, 'new_ids': new, 'text': decode(words), 'smallest_margin': round(margin, 4),
        },
    }
    for name, value in files.items():
        with open(os.path.join(OUT, name), 'w', encoding='utf-8') as f:
            json.dump(value, f, indent=1 if name != 'tokenizer.json' else None, ensure_ascii=False)
            f.write('\n')
    onnx.save(build_onnx(make_weights(seed)), os.path.join(OUT, 'onnx', 'model.onnx'))
    print(f'wrote {OUT}')


if __name__ == '__main__':
    main()
