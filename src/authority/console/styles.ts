// The console's one stylesheet, served from /console/console.css (the CSP allows styles from 'self' only).

/** The stylesheet: system fonts, readable at 360 px, wide tables scroll inside their own box, visible focus. */
export const CONSOLE_CSS = `
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: #1b1f24; background: #f6f7f9; }
a { color: #1849a9; text-underline-offset: 0.15em; }
a:hover { color: #0b2e73; }
:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; border-radius: 2px; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.9em; }
.skip { position: absolute; left: 0.5rem; top: -3rem; background: #fff; padding: 0.5rem 0.75rem; z-index: 10; }
.skip:focus { top: 0.5rem; }
header.top { background: #13233f; color: #fff; }
header.top .bar { max-width: 78rem; margin: 0 auto; padding: 0.6rem 1rem; display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1.25rem; }
header.top .brand { font-weight: 700; color: #fff; text-decoration: none; margin-right: auto; }
header.top nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; margin: 0; padding: 0; }
header.top nav a { color: #dbe6ff; text-decoration: none; padding: 0.2rem 0; border-bottom: 2px solid transparent; }
header.top nav a:hover { color: #fff; }
header.top nav a[aria-current="page"] { color: #fff; border-bottom-color: #f59e0b; }
header.top .who { display: flex; align-items: center; gap: 0.6rem; font-size: 0.875rem; color: #c4d0e8; }
header.top .who form { margin: 0; }
header.top .who button { background: transparent; color: #fff; border: 1px solid #6d7fa3; padding: 0.2rem 0.6rem; font-size: 0.875rem; }
main { max-width: 78rem; margin: 0 auto; padding: 1.25rem 1rem 3rem; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0.25rem 0 1rem; overflow-wrap: anywhere; }
h1 code { font-size: 0.8em; white-space: nowrap; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 0.75rem; }
p { margin: 0.5rem 0 1rem; }
.muted { color: #57606a; }
.card { background: #fff; border: 1px solid #d8dee4; border-radius: 8px; padding: 1rem 1.25rem; margin: 0 0 1.25rem; }
.narrow { max-width: 30rem; }
.medium { max-width: 42rem; }
.notice { border-left: 4px solid #1a7f37; background: #eefbf1; padding: 0.75rem 1rem; margin: 0 0 1rem; border-radius: 4px; }
.error { border-left: 4px solid #cf222e; background: #fff0f0; padding: 0.75rem 1rem; margin: 0 0 1rem; border-radius: 4px; }
.warning { border-left: 4px solid #bf5700; background: #fff6eb; padding: 0.75rem 1rem; margin: 0 0 1rem; border-radius: 4px; }
label { display: block; font-weight: 600; margin: 0 0 0.25rem; }
.field { margin: 0 0 1rem; }
.hint { display: block; font-weight: 400; font-size: 0.875rem; color: #57606a; }
input[type="text"], input[type="password"], input[type="number"], select { width: 100%; max-width: 32rem; font: inherit; padding: 0.45rem 0.6rem; border: 1px solid #8c959f; border-radius: 6px; background: #fff; color: inherit; }
.check { display: flex; gap: 0.5rem; align-items: flex-start; font-weight: 400; }
.check input { margin-top: 0.35rem; }
button, .button { display: inline-block; overflow-wrap: anywhere; font: inherit; font-weight: 600; padding: 0.45rem 1rem; border-radius: 6px; border: 1px solid #1849a9; background: #1849a9; color: #fff; cursor: pointer; text-decoration: none; }
button:hover, .button:hover { background: #0b2e73; color: #fff; }
.button.secondary, button.secondary { background: #fff; color: #1849a9; }
.button.secondary:hover, button.secondary:hover { background: #eef3ff; color: #0b2e73; }
button.danger { background: #b42318; border-color: #b42318; }
button.danger:hover { background: #8a1a12; }
.actions { display: flex; flex-wrap: wrap; gap: 0.5rem 0.75rem; align-items: center; margin: 0 0 1rem; }
.actions form { margin: 0; }
.filters { display: flex; flex-wrap: wrap; gap: 0.4rem; list-style: none; padding: 0; margin: 0 0 1rem; }
.filters a { display: inline-block; padding: 0.2rem 0.75rem; border: 1px solid #8c959f; border-radius: 999px; text-decoration: none; color: #1b1f24; background: #fff; }
.filters a[aria-current="page"] { background: #13233f; border-color: #13233f; color: #fff; }
.table-wrap { overflow-x: auto; background: #fff; border: 1px solid #d8dee4; border-radius: 8px; margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
caption { text-align: left; padding: 0.6rem 0.75rem; font-weight: 600; }
th, td { text-align: left; vertical-align: top; padding: 0.45rem 0.75rem; border-top: 1px solid #eaeef2; }
thead th { background: #f6f8fa; font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.03em; color: #424a53; white-space: nowrap; }
td.nowrap, th.nowrap { white-space: nowrap; }
table.log td { white-space: nowrap; }
table.log td details[open] { white-space: normal; }
tr.flagged td { background: #fff4e0; }
table.limits tr.spent td { background: #fff4e0; }
tr.flagged td:first-child { box-shadow: inset 4px 0 0 #c2410c; }
.badge { display: inline-block; padding: 0 0.5rem; border-radius: 999px; font-size: 0.8rem; font-weight: 600; line-height: 1.6; border: 1px solid transparent; white-space: nowrap; }
.badge.active { background: #dafbe1; color: #116329; border-color: #aceebb; }
.badge.revoked { background: #ffebe9; color: #a40e26; border-color: #ffcecb; }
.badge.expired { background: #eaeef2; color: #424a53; border-color: #d0d7de; }
.badge.suspended, .badge.inactive { background: #fff8c5; color: #7d4e00; border-color: #eac54f; }
.badge.flag { background: #ffe2c6; color: #8a2c0d; border-color: #f5a66b; }
.badge.ok { background: #ddf4ff; color: #0a3069; border-color: #b6e3ff; }
.flags { display: inline-flex; flex-wrap: wrap; gap: 0.25rem; vertical-align: middle; }
ul.legend { list-style: none; padding: 0; margin: 0 0 1rem; font-size: 0.875rem; color: #57606a; }
ul.legend li { margin: 0 0 0.25rem; }
dl.facts { display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: 0.35rem 1rem; margin: 0; }
dl.facts dt { font-weight: 600; color: #424a53; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
details summary { cursor: pointer; color: #1849a9; }
details pre { white-space: pre-wrap; overflow-wrap: anywhere; max-width: 28rem; margin: 0.25rem 0 0; font-size: 0.8rem; }
.pager { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin: 0 0 1rem; }
.pager .gap { flex: 1 1 auto; }
.jump { margin: 0 0 1rem; }
.jump .row { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
.jump input { width: 10rem; }
.code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 1.05rem; background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: 0.5rem 0.75rem; overflow-wrap: anywhere; display: block; max-width: 32rem; }
figure.qr { margin: 1rem 0; }
figure.qr svg { display: block; width: 15rem; max-width: 100%; height: auto; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; }
pre.code { white-space: pre-wrap; margin: 0.25rem 0 1rem; font-size: 0.875rem; }
figure.qr figcaption { font-size: 0.875rem; color: #57606a; max-width: 32rem; overflow-wrap: anywhere; }
@media (max-width: 40rem) {
  main { padding: 1rem 0.75rem 2rem; }
  h1 code { font-size: 0.7em; }
  /* Lists of bundles and agents become one card per row: two columns of labelled fields. */
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  table.stack, table.stack tbody { display: block; }
  table.stack tr { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0.5rem 1rem; padding: 0.7rem 0.9rem; border-top: 1px solid #eaeef2; }
  table.stack tbody tr:first-child { border-top: 0; }
  table.stack td { display: block; padding: 0; border: 0; min-width: 0; overflow-wrap: anywhere; white-space: normal; }
  table.stack td::before { content: attr(data-label); display: block; font-size: 0.7rem; font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; color: #57606a; }
  table.stack td.wide { grid-column: 1 / -1; }
  table.stack tr.flagged { background: #fff4e0; box-shadow: inset 4px 0 0 #c2410c; }
  table.stack tr.flagged td { background: transparent; box-shadow: none; }
  table.limits tr.spent { background: #fff4e0; }
  table.limits tr.spent td { background: transparent; }
  .card { padding: 0.85rem 0.9rem; }
  dl.facts { grid-template-columns: 1fr; gap: 0 0; }
  dl.facts dd { margin-bottom: 0.5rem; }
}
`;
