/**
 * The `mitene-security` policy pack, for real previews:
 *
 *     pulumi preview --stack <stack> --policy-pack ./policy
 *
 * What that needs, and why (test/policy/pack.test.ts starts the pack exactly this way):
 * - `npm ci` at the repository root, nothing here: the CLI starts the pack in this directory through its
 *   `pulumi-analyzer-policy` shim, which finds `@pulumi/pulumi/cmd/run-policy-pack` by walking up to the
 *   repository's node_modules, and so do the pack's imports.
 * - No tsx preloaded (no NODE_OPTIONS=--import=tsx). Unlike stack programs, the policy runner ignores
 *   PulumiPolicy.yaml's runtime options and always compiles with its own vendored ts-node, type-checking
 *   against the repository's TypeScript; code that tsx already transformed then fails that check.
 * - policy/package.json: PolicyPack reads the pack's version from `./package.json` of its working
 *   directory, and its `main` points the runner at this file.
 * Credential-free runs over rendered graphs use policy/graph.ts instead.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("mitene-security", { policies });
