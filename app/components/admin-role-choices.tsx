import { ErrorList } from "./forms";

/** The GDAP role catalogue as checkboxes, each with its description. */
export function AdminRoleChoices({
  name,
  errorId,
  errors,
  roles,
  chosen,
}: {
  name: string;
  errorId: string;
  errors?: string[];
  roles: { templateId: string; name: string; description: string }[];
  chosen: Set<string>;
}) {
  return (
    <fieldset className="choice-group" aria-describedby={errorId}>
      <legend>Roles</legend>
      <ErrorList id={errorId} errors={errors} />
      {roles.map((r) => (
        <label key={r.templateId} className="choice">
          <input type="checkbox" name={name} value={r.templateId} defaultChecked={chosen.has(r.templateId)} />
          <span>
            <strong>{r.name}</strong>
            <span className="hint">{r.description}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
