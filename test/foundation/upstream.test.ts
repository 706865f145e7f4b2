/**
 * What the project sets against the upstream facts it verified (components/upstream/): every Helm values key
 * is among the keys read in the pinned chart's values.yaml, and every TargetGroupBinding, Application and Argo
 * CD cluster Secret the committed stacks create holds only fields its CRD (or Argo CD's docs) define. The mock
 * runtime accepts anything; these fail when a key is mistyped or a chart bump renamed it.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { ADDON_CATALOG, CLUSTER_AUTOSCALER_IMAGES, OPS_CHARTS } from "../../components/addonCatalog";
import { argocdValues } from "../../components/argocdValues";
import { grafanaValues } from "../../components/opsCluster";
import { CHARTS, ChartFacts } from "../../components/upstream/charts";
import { APPLICATION_SCHEMA, TARGET_GROUP_BINDING_SCHEMA, unknownClusterSecretFields, unknownManifestFields } from "../../components/upstream/manifests";
import { fieldPaths, formatPath, leafPaths, parsePath } from "../../components/upstream/paths";
import { unverifiedValueKeys } from "../../components/upstream/values";
import { ADDON_CONTEXT as CONTEXT } from "../helpers/fixtures";
import { Run, runStack } from "../helpers/harness";

const ARGOCD_INPUT = {
    hostname: "argocd.ops-prod.mitene.internal",
    sso: { issuer: "https://sso.mitene.example", clientId: "argocd-prod", adminGroups: ["sre"] },
    clientSecret: "s3cr3t",
    controllerRoleArn: "arn:aws:iam::123456789012:role/controller",
    serverRoleArn: "arn:aws:iam::123456789012:role/server",
    applicationSetRoleArn: "arn:aws:iam::123456789012:role/applicationset",
};

const segment = fc.stringMatching(/^[a-zA-Z0-9_./"-]{1,12}$/);

describe("upstream: key paths", () => {
    it("quotes segments holding a dot, a slash or a quote, and reads them back", () => {
        assert.equal(formatPath(["serverFiles", "prometheus.yml", "rule_files"]), 'serverFiles."prometheus.yml".rule_files');
        assert.equal(formatPath(["serviceAccount", "annotations", "eks.amazonaws.com/role-arn"]), 'serviceAccount.annotations."eks.amazonaws.com/role-arn"');
        assert.deepEqual(parsePath('configs.cm."admin.enabled"'), ["configs", "cm", "admin.enabled"]);
    });

    it("property: parsePath(formatPath(segments)) is segments", () => {
        fc.assert(fc.property(fc.array(segment.filter((s) => !s.includes('"')), { minLength: 1, maxLength: 5 }), (segments) => {
            assert.deepEqual(parsePath(formatPath(segments)), segments);
        }));
    });

    it("leaves are scalars, lists and empty maps; fields include containers and list items", () => {
        const value = { a: { b: 1, c: [{ d: 2 }], e: {} } };
        assert.deepEqual(leafPaths(value), [["a", "b"], ["a", "c"], ["a", "e"]]);
        assert.deepEqual(fieldPaths(value), [["a"], ["a", "b"], ["a", "c"], ["a", "c", "[]", "d"], ["a", "e"]]);
    });
});

describe("upstream: chart facts", () => {
    const used = new Set<string>([...ADDON_CATALOG.map((a) => a.upstream), "argo-cd", "grafana"]);

    it("every pinned chart has its facts, and every fact is used", () => {
        assert.deepEqual([...used].sort(), Object.keys(CHARTS).sort());
    });

    for (const [name, facts] of Object.entries(CHARTS) as [string, ChartFacts][]) {
        it(`${name}: version, repository and values were read at a stated source and date`, () => {
            assert.match(facts.published, /read \d{4}-\d{2}-\d{2}/);
            assert.match(facts.published, new RegExp(facts.version.replace(/\./g, "\\.")));
            assert.ok(facts.values.source.length > 10);
            assert.ok(facts.values.keys.length > 0);
        });
    }

    it("the catalog and the Ops charts pin exactly the verified chart, repository and version", () => {
        for (const spec of ADDON_CATALOG) {
            const facts = CHARTS[spec.upstream];
            assert.deepEqual([spec.chart, spec.repository, spec.version], [facts.chart, facts.repository, facts.version], spec.name);
        }
        assert.deepEqual([OPS_CHARTS.argocd.repository, OPS_CHARTS.argocd.version], [CHARTS["argo-cd"].repository, CHARTS["argo-cd"].version]);
        assert.deepEqual([OPS_CHARTS.grafana.repository, OPS_CHARTS.grafana.version], [CHARTS.grafana.repository, CHARTS.grafana.version]);
    });

    // Versions that were pinned but never found in their repository's index (issue 9 finding 3, and a re-check).
    it("pins no version that its repository's index did not list", () => {
        assert.notEqual(CHARTS.grafana.version, "13.2.4");
        assert.notEqual(CHARTS.grafana.repository, "https://grafana.github.io/helm-charts");
        assert.notEqual(CHARTS["external-secrets"].version, "2.10.0");
        assert.notEqual(CHARTS["argo-cd"].version, "10.9.0");
    });
});

describe("upstream: Helm values the project sets are keys of the pinned chart", () => {
    for (const spec of ADDON_CATALOG) {
        it(`${spec.name} (${spec.chart} ${spec.version})`, () => {
            for (const kubernetesVersion of Object.keys(CLUSTER_AUTOSCALER_IMAGES)) {
                assert.deepEqual(unverifiedValueKeys(spec.values({ ...CONTEXT, kubernetesVersion }), CHARTS[spec.upstream]), []);
            }
        });
    }

    it(`Argo CD (argo-cd ${CHARTS["argo-cd"].version})`, () => {
        assert.deepEqual(unverifiedValueKeys(argocdValues(ARGOCD_INPUT), CHARTS["argo-cd"]), []);
    });

    it(`Grafana (grafana ${CHARTS.grafana.version})`, () => {
        assert.deepEqual(unverifiedValueKeys(grafanaValues("grafana.ops-prod.mitene.internal"), CHARTS.grafana), []);
    });

    it("reports a key the chart does not have: external-secrets' `env` (its key is extraEnv)", () => {
        assert.deepEqual(unverifiedValueKeys({ installCRDs: true, env: { AWS_REGION: "us-west-2" } }, CHARTS["external-secrets"]), ["env.AWS_REGION"]);
    });

    it("reports a key of a pass-through map that was not verified in its program's docs", () => {
        assert.deepEqual(unverifiedValueKeys({ configs: { cm: { url: "https://x", "oidc.confg": "typo" } } }, CHARTS["argo-cd"]), ['configs.cm."oidc.confg"']);
    });

    it("property: any key added to an add-on's values that the chart does not have is reported", () => {
        const spec = ADDON_CATALOG.find((a) => a.name === "aws-load-balancer-controller")!;
        fc.assert(fc.property(fc.stringMatching(/^zz[a-zA-Z]{1,10}$/), fc.boolean(), (key, nested) => {
            const values = spec.values(CONTEXT);
            const typo = nested ? { ...values, serviceAccount: { ...(values.serviceAccount as object), [key]: true } } : { ...values, [key]: true };
            assert.deepEqual(unverifiedValueKeys(typo, CHARTS[spec.upstream]), [nested ? `serviceAccount.${key}` : key]);
        }));
    });
});

describe("upstream: manifests carry only fields their CRD defines", () => {
    const runs: Run[] = [];
    before(async () => {
        const outputs: Record<string, Record<string, unknown>> = {};
        for (const stack of ["ops-prod", "region-prod-us-west-2", "mitene-prod-us-west-2-blue"]) {
            const run = await runStack(stack, outputs);
            outputs[stack] = run.outputs;
            runs.push(run);
        }
    });
    const ofType = (type: string) => runs.flatMap((run) => run.ofType(type));

    it("every TargetGroupBinding (the Ops UIs and the services)", () => {
        const bindings = ofType("kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding");
        assert.ok(bindings.length >= 4, `only ${bindings.length} bindings rendered`);
        for (const binding of bindings) assert.deepEqual(unknownManifestFields(binding.revealed, TARGET_GROUP_BINDING_SCHEMA), [], binding.name);
    });

    it("the app-of-apps Application", () => {
        const [app] = ofType("kubernetes:argoproj.io/v1alpha1:Application");
        assert.deepEqual(unknownManifestFields(app.revealed, APPLICATION_SCHEMA), []);
    });

    it("the Argo CD cluster Secret's data and config", () => {
        const [secret] = ofType("kubernetes:core/v1:Secret");
        assert.deepEqual(unknownClusterSecretFields(secret.revealed.stringData as Record<string, string>), []);
    });

    it("reports a field the TargetGroupBinding CRD does not have, and a wrong API version", () => {
        const binding = ofType("kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding")[0].revealed as { spec: Record<string, unknown> };
        const wrong = { ...binding, apiVersion: "elbv2.k8s.aws/v1", spec: { ...binding.spec, targetPort: 8080 } };
        assert.deepEqual(unknownManifestFields(wrong, TARGET_GROUP_BINDING_SCHEMA), [
            "expected elbv2.k8s.aws/v1beta1 TargetGroupBinding, got elbv2.k8s.aws/v1 TargetGroupBinding",
            `TargetGroupBinding has no field spec.targetPort (${TARGET_GROUP_BINDING_SCHEMA.source})`,
        ]);
    });

    it("reports a nested field the Application CRD does not have", () => {
        const app = ofType("kubernetes:argoproj.io/v1alpha1:Application")[0].revealed as { spec: { syncPolicy: Record<string, unknown> } };
        const wrong = { ...app, spec: { ...app.spec, syncPolicy: { ...app.spec.syncPolicy, automated: { prune: true, selfHeal: true, selfheal: true } } } };
        assert.deepEqual(unknownManifestFields(wrong, APPLICATION_SCHEMA).map((p) => p.split(" (")[0]), ["Application has no field spec.syncPolicy.automated.selfheal"]);
    });

    it("reports a cluster Secret key Argo CD does not read (a misspelt roleARN means no IAM authentication)", () => {
        const config = JSON.stringify({ awsAuthConfig: { clusterName: "c", roleArn: "arn" }, tlsClientConfig: { caData: "x" } });
        assert.deepEqual(unknownClusterSecretFields({ name: "c", server: "https://c", config, labels: "x" }), [
            "cluster Secret has no data key labels",
            "cluster Secret config has no field awsAuthConfig.roleArn",
        ]);
    });
});
