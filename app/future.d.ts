import "@remix-run/node";

// Single Fetch: loader and action types infer from `data()` and plain objects.
declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}
