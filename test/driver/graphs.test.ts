import { strict as assert } from "node:assert";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { cell, diffMarkdown, diffStacks, flatten, replacingInputs } from "../../automation/programs/diff";
import { RenderedStack, urnKey } from "../../automation/programs/render";
import { cli, tempState } from "./harness";

const edit = (dir: string, stack: string, change: (graph: RenderedStack) => void) => {
    const file = path.join(dir, `${stack}.json`);
    const graph = JSON.parse(readFileSync(file, "utf8")) as RenderedStack;
    change(graph);
    writeFileSync(file, JSON.stringify(graph));
};

describe("render, diff and policy", () => {
    let base: string;
    before(async () => {
        base = tempState();
        const run = await cli(["render", "--env", "prod", "--out", base, "--json"]);
        assert.equal(run.code, 0, run.stderr);
    });

    it("renders every stack of the env in the documented shape (docs/cli.md), secrets masked, credential-free", async () => {
        const graph = JSON.parse(readFileSync(path.join(base, "ops-prod.json"), "utf8"));
        assert.deepEqual(Object.keys(graph), ["stack", "resources", "outputs"]);
        assert.deepEqual(Object.keys(graph.resources[0]), ["type", "name", "parent", "inputs"]);
        const argocd = graph.resources.find((r: any) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "ops-argocd");
        assert.equal(argocd.inputs.values, "[secret]");
        const cluster = graph.resources.find((r: any) => r.type === "eks:index:Cluster");
        assert.equal(cluster.parent, "mitene:eks:EksCluster::ops-cluster");
        assert.equal(graph.resources.some((r: any) => r.type === "pulumi:pulumi:Stack"), false);
    });

    it("renders the same graph every time", async () => {
        const again = tempState();
        await cli(["render", "--env", "prod", "--stack", "region-prod-us-west-2", "--out", again]);
        assert.equal(readFileSync(path.join(again, "region-prod-us-west-2.json"), "utf8"), readFileSync(path.join(base, "region-prod-us-west-2.json"), "utf8"));
    });

    it("shows a changed weight in diff exactly, and nothing else", async () => {
        const head = tempState();
        cpSync(base, head, { recursive: true });
        edit(head, "region-prod-us-west-2", (graph) => {
            const rule = graph.resources.find((r) => r.name === "edge-api")!;
            (rule.inputs as any).actions[0].forward.targetGroups[0].weight = 95;
            (rule.inputs as any).actions[0].forward.targetGroups[1].weight = 5;
        });
        const run = await cli(["diff", base, head]);
        assert.equal(run.code, 0);
        assert.equal(
            run.stdout,
            [
                "## Infrastructure diff",
                "",
                "| stack | | added | **deleted** | **replaced** | changed |",
                "|---|---|---:|---:|---:|---:|",
                "| `region-prod-us-west-2` | changed | 0 | 0 | 0 | 1 |",
                "",
                "### `region-prod-us-west-2` (changed)",
                "",
                "**~** `aws:lb/listenerRule:ListenerRule::edge-api`",
                "",
                "| input | before | after |",
                "|---|---|---|",
                "| `actions[0].forward.targetGroups[blue].weight` | `100` | `95` |",
                "| `actions[0].forward.targetGroups[green].weight` | `0` | `5` |",
                "",
            ].join("\n"),
        );
    });

    it("marks deletions and the changes a provider replaces on (a Kubernetes object's name), not plain updates", async () => {
        const head = tempState();
        cpSync(base, head, { recursive: true });
        let renamed = "";
        let deleted = "";
        edit(head, "mitene-prod-us-west-2-blue", (graph) => {
            const secret = graph.resources.find((r) => r.type === "kubernetes:core/v1:Secret")!;
            renamed = `${secret.type}::${secret.name}`;
            (secret.inputs as any).metadata.name = "renamed";
            const removed = graph.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
            deleted = `${removed.type}::${removed.name}`;
            graph.resources = graph.resources.filter((r) => r !== removed);
        });
        const run = await cli(["diff", base, head, "--json"]);
        const stack = run.json.diffs.find((d: any) => d.stack === "mitene-prod-us-west-2-blue");
        assert.deepEqual(stack.replaced, [{ resource: renamed, inputs: ["metadata.name"] }]);
        assert.deepEqual(stack.removed, [deleted]);
        assert.match(run.json.markdown, /\| `mitene-prod-us-west-2-blue` \| changed \| 0 \| 1 \| 1 \| 1 \|/);
        assert.ok(run.json.markdown.includes(`**± replaced** \`${renamed}\` (\`metadata.name\` forces a new one)`));
        assert.ok(run.json.markdown.includes(`- **− deleted** \`${deleted}\``));
    });

    it("knows which inputs replace which resources, and nothing else", () => {
        const change = (path: string) => ({ path, before: 1, after: 2 });
        assert.deepEqual(replacingInputs("awsx:ec2:Vpc", [change("ipv4NetmaskLength"), change("tags.x")]), ["ipv4NetmaskLength"]);
        assert.deepEqual(replacingInputs("kubernetes:helm.sh/v3:Release", [change("namespace"), change("values.x"), change("metadata.name")]), ["namespace"]);
        assert.deepEqual(replacingInputs("kubernetes:apps/v1:Deployment", [change("metadata.namespace"), change("metadata.labels.a")]), ["metadata.namespace"]);
        assert.deepEqual(replacingInputs("aws:lb/listenerRule:ListenerRule", [change("priority"), change("name")]), []);
    });

    it("shows a changed version in diff", async () => {
        const head = tempState();
        cpSync(base, head, { recursive: true });
        edit(head, "mitene-prod-us-west-2-blue", (graph) => {
            (graph.resources.find((r) => r.type === "eks:index:Cluster")!.inputs as any).version = "1.35";
        });
        const run = await cli(["diff", base, head, "--json"]);
        assert.deepEqual(run.json.diffs.find((d: any) => d.status === "changed").changed, [
            { resource: "eks:index:Cluster::svc-cluster-eks", changes: [{ path: "version", before: "1.34", after: "1.35" }] },
        ]);
    });

    it("reports no changes between identical renders", async () => {
        assert.equal((await cli(["diff", base, base])).stdout, "## Infrastructure diff\n\nNo infrastructure changes.\n");
    });

    it("passes the policy pack on the committed stacks, and fails (exit 1) on a violation", async () => {
        assert.equal((await cli(["policy", base])).code, 0);
        assert.equal((await cli(["policy", "--env", "staging"])).code, 0);
        const head = tempState();
        cpSync(base, head, { recursive: true });
        edit(head, "region-prod-us-west-2", (graph) => {
            (graph.resources.find((r) => r.type === "aws:lb/loadBalancer:LoadBalancer")!.inputs as any).dropInvalidHeaderFields = false;
        });
        const run = await cli(["policy", head, "--json"]);
        assert.equal(run.code, 1);
        assert.equal(run.json.mandatory, 1);
        assert.equal(run.json.violations[0].stack, "region-prod-us-west-2");
    });

    const bad: [string, string[], RegExp][] = [
        ["an unknown env", ["render", "--env", "qa", "--out", "/tmp/x"], /unknown env "qa"/],
        ["an unknown stack", ["render", "--env", "prod", "--stack", "ops-qa", "--out", "/tmp/x"], /unknown stack "ops-qa"/],
        ["a missing render directory", ["diff", "/nonexistent/a", "/nonexistent/b"], /cannot read render directory \/nonexistent\/a/],
        ["policy with both an env and a directory", ["policy", "/tmp", "--env", "prod"], /either --env or a render directory/],
    ];
    for (const [what, args, message] of bad) {
        it(`exits 2 on ${what}`, async () => {
            const run = await cli([...args, "--json"]);
            assert.equal(run.code, 2);
            assert.match(run.json.error, message);
        });
    }
});

describe("diff formatting", () => {
    it("opens JSON held in strings so a policy change shows the statement that changed", () => {
        assert.deepEqual([...flatten({ policy: JSON.stringify({ Statement: [{ Action: ["a"] }] }) })], [["policy.Statement[0].Action[0]", "a"]]);
    });

    it("shortens long values in the middle and escapes table characters", () => {
        const long = "x".repeat(100);
        assert.equal(cell(long), "`" + "x".repeat(50) + "…" + "x".repeat(20) + " (100 chars)`");
        assert.equal(cell("a|b"), "`a\\|b`");
        assert.equal(cell(undefined), "_(none)_");
    });

    it("lists stacks, resources and inputs in a stable order whatever the input order", () => {
        const graph = (names: string[]): RenderedStack => ({ stack: "s", resources: names.map((name) => ({ type: "t", name, parent: null, inputs: { b: 1, a: name } })), outputs: {} });
        const one = diffMarkdown(diffStacks([graph(["x", "y"])], [graph(["z", "y"])]));
        const two = diffMarkdown(diffStacks([graph(["y", "x"])], [graph(["y", "z"])]));
        assert.equal(one, two);
        assert.match(one, /\*\*\+\*\* `t::z`[\s\S]*\*\*− deleted\*\* `t::x`/);
    });

    it("names a resource by the type and name in its URN", () => {
        assert.equal(urnKey("urn:pulumi:ops-prod::mitene::pulumi:pulumi:Stack$mitene:eks:EksCluster::ops-cluster"), "mitene:eks:EksCluster::ops-cluster");
    });
});
