import { getSelectProps, type FieldMetadata } from "@conform-to/react";
import { ErrorList } from "~/components/forms";
import { useFormat } from "~/components/format";

/** The countries as <option>s in the reader's language and order; only `codes` when given. */
export function CountryOptions({ codes }: { codes?: readonly string[] }) {
  const format = useFormat();
  return (
    <>
      {(codes ? format.countryOptionsFor(codes) : format.countryOptions()).map((c) => (
        <option key={c.code} value={c.code}>
          {c.name}
        </option>
      ))}
    </>
  );
}

/** A form's country field: label, select with "Choose…" first, and the field's errors. */
export function CountryField({ meta, label = "Country" }: { meta: FieldMetadata<string | undefined>; label?: string }) {
  return (
    <div className="field">
      <label htmlFor={meta.id}>{label}</label>
      <select {...getSelectProps(meta)} key={meta.key}>
        <option value="">Choose…</option>
        <CountryOptions />
      </select>
      <ErrorList id={meta.errorId} errors={meta.errors} />
    </div>
  );
}
