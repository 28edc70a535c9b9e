/** A rule a domain function refuses to break; routes turn it into the matching HTTP status. */
export class DomainError extends Error {
  constructor(
    public status: 400 | 403 | 404 | 409 | 410,
    message: string,
    /** The form field the message belongs to, when there is one. */
    public field?: string,
  ) {
    super(message);
  }
}
