import { type FieldMetadata } from "@conform-to/react";
import { CountryField } from "./country-select";
import { Field } from "./forms";

type F = FieldMetadata<string | undefined>;

/** Company and primary-contact fields of a new customer (its contact becomes the first global admin). */
export function NewCustomerFields({ fields }: { fields: { name: F; primaryDomain: F; country: F; contactFirstName: F; contactLastName: F; contactEmail: F; contactPhone: F } }) {
  return (
    <>
      <Field meta={fields.name} label="Company name" inputProps={{ autoComplete: "off" }} />
      <Field meta={fields.primaryDomain} label="Primary domain" hint="Unique across Partnerdesk, e.g. contoso.com." inputProps={{ autoComplete: "off", spellCheck: false }} />
      <CountryField meta={fields.country} />
      <h3>Primary contact</h3>
      <div className="field-row two">
        <Field meta={fields.contactFirstName} label="First name" inputProps={{ autoComplete: "off" }} />
        <Field meta={fields.contactLastName} label="Last name" inputProps={{ autoComplete: "off" }} />
      </div>
      <Field meta={fields.contactEmail} label="Email address" type="email" hint="Becomes the customer's first global admin and receives the activation link." inputProps={{ autoComplete: "off" }} />
      <Field meta={fields.contactPhone} label="Phone" type="tel" />
    </>
  );
}
