/**
 * A session's device as a person recognises it ("Chrome 131 on Windows 10"), read from its
 * user agent by bowser (a maintained parser: user agents are too irregular to parse by hand).
 */
import Bowser from "bowser";

export function describeDevice(userAgent: string | null | undefined): string {
  if (!userAgent) return "Unknown device";
  const parsed = Bowser.parse(userAgent);
  const browser = [parsed.browser.name, parsed.browser.version?.split(".")[0]].filter(Boolean).join(" ");
  const os = [parsed.os.name, parsed.os.versionName ?? parsed.os.version].filter(Boolean).join(" ");
  if (!browser && !os) return "Unknown device";
  return browser && os ? `${browser} on ${os}` : browser || os;
}
