/** The new-customer form's fields (Add customer, and a new customer in key registration); client-safe. */
import { z } from "zod";
import { text } from "~/utils/input";
import { COUNTRY_CODES } from "~/utils/countries";
import { domainNameField } from "./domain-name";

export const newCustomerFields = {
  name: text({ required_error: "Enter the company name." }).trim().min(2, "Enter the company name.").max(200),
  primaryDomain: domainNameField,
  country: z.string({ required_error: "Choose the country." }).refine((c) => COUNTRY_CODES.includes(c), "Choose the country."),
  contactFirstName: text({ required_error: "Enter the contact's first name." }).trim().min(1).max(100),
  contactLastName: text({ required_error: "Enter the contact's last name." }).trim().min(1).max(100),
  contactEmail: z.string({ required_error: "Enter the contact's email address." }).trim().toLowerCase().email("Enter a valid email address.").max(254),
  contactPhone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()\-.]{6,30}$/, "Enter a phone number with digits, spaces and an optional leading +.")
    .optional(),
};

export const newCustomerSchema = z.object(newCustomerFields);
