// TypeDoc plugin (typedoc.json "plugin"): members of inline object types, the `{ seq: number; hash: string }`
// written inside a signature, a property's type or a union, are described by the summary of the
// declaration that holds them; documenting each would mean reformatting one-line types. So
// `validation.notDocumented` skips them, and only them: every export, interface or class member,
// type alias, function and variable still needs its own summary. The count is logged (--logLevel Verbose).
import { Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    const inline = new Set();
    for (const reflection of Object.values(context.project.reflections)) {
      if (checkedAlone(reflection) && insideTypeLiteral(reflection)) inline.add(reflection.getFriendlyFullName());
    }
    const given = app.options.getValue('intentionallyNotDocumented');
    app.options.setValue('intentionallyNotDocumented', [...new Set([...given, ...inline])]);
    app.logger.verbose(`${inline.size} members of inline object types are left to their declaration's summary`);
  });
}

/** What notDocumented reports on its own: an undocumented property, or a method's signature (not a parameter's). */
function checkedAlone(reflection) {
  if (reflection.hasComment()) return false;
  for (let parent = reflection.parent; parent; parent = parent.parent) if (parent.kindOf(ReflectionKind.Parameter)) return false;
  if (reflection.kindOf(ReflectionKind.Property)) return true;
  const owner = reflection.parent;
  return reflection.kindOf(ReflectionKind.SomeSignature) && !owner.kindOf(ReflectionKind.TypeLiteral) && !owner.hasComment();
}

function insideTypeLiteral(reflection) {
  for (let parent = reflection.parent; parent; parent = parent.parent) {
    if (parent.kindOf(ReflectionKind.TypeLiteral)) return true;
  }
  return false;
}
