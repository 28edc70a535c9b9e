import { createContext, useContext } from "react";

/**
 * The Content-Security-Policy nonce of the response being rendered (server only; the browser
 * hides it, so the client renders without it). app/entry.server.tsx provides it from the load
 * context; root.tsx gives it to Remix's inline scripts.
 */
export const NonceContext = createContext<string | undefined>(undefined);

export const useNonce = () => useContext(NonceContext);
