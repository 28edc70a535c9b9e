import { z } from "zod";

/** A DNS name: 2+ labels of letters, digits and inner hyphens, 1–63 each, 253 in all, an alphabetic (or xn--) TLD. */
export const DOMAIN_NAME = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

export const domainNameField = z
  .string({ required_error: "Enter the customer's primary domain." })
  .trim()
  .toLowerCase()
  .transform((v) => v.replace(/\.$/, ""))
  .refine((v) => DOMAIN_NAME.test(v), "Enter a domain name like contoso.com: letters, digits and hyphens, with a dot before the top-level domain.");
