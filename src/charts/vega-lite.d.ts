// vega-lite declares its types only through package.json "exports", which our node10 module
// resolution doesn't read; point the bare name at the same declarations.
declare module "vega-lite" {
  export * from "vega-lite/build/index";
}
