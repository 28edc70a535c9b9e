import { describe, expect, it } from "vitest";
import { html, Html, htmlText } from "./html";

describe("html templates", () => {
  it("escapes every interpolated value, in text and in quoted attributes", () => {
    const evil = `"><script>alert('x')</script>&`;
    expect(html`<a title="${evil}">${evil}</a>`.value).toBe(
      '<a title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</a>',
    );
  });

  it("nests markup as it is, and writes numbers and nothing", () => {
    const inner = html`<b>${"R&D"}</b>`;
    expect(html`<td>${inner}</td><td>${3}</td><td>${null}${undefined}${false}</td>`.value).toBe("<td><b>R&amp;D</b></td><td>3</td><td></td>");
    expect(String(inner)).toBe("<b>R&amp;D</b>");
  });

  it("takes a constant as markup only when asked to", () => {
    expect(htmlText(Html.raw("<hr>"))).toBe("<hr>");
    expect(htmlText("<hr>")).toBe("&lt;hr&gt;");
    expect(htmlText(0)).toBe("0");
  });
});
