/**
 * weights-on-deployed-colors, both ways and end to end: a hand-edited region stack file that gives traffic to a
 * color with no cluster stack renders and diffs fine, and fails `mitene policy`; the committed files pass, and
 * so does a render of the region stack alone, which cannot show the env's cluster stacks.
 */
import { strict as assert } from "node:assert";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { STACKS_DIR } from "../../stacks/stackFiles";
import { weightsOnDeployedColors } from "../../policy/servingColors";
import { cli, renderedStack } from "../driver/harness";

describe("policy: weights only on deployed colors", () => {
    const region = (weights: Record<string, number>) => ({ stack: "region-prod-us-west-2", resources: [], outputs: { weights } });
    const cluster = (color: string) => ({ stack: `mitene-prod-us-west-2-${color}`, resources: [] });
    const ops = { stack: "ops-prod", resources: [] };

    it("passes weight on colors whose cluster stack exists, and a color without weight and without a stack", async () => {
        assert.deepEqual(await weightsOnDeployedColors.check([ops, region({ blue: 100, green: 0 }), cluster("blue")]), []);
        assert.deepEqual(await weightsOnDeployedColors.check([ops, region({ blue: 75, green: 25 }), cluster("blue"), cluster("green")]), []);
    });

    it("flags every color that carries traffic without a cluster stack, naming the stack it lacks", async () => {
        const found = await weightsOnDeployedColors.check([ops, region({ blue: 50, green: 50 }), cluster("blue"), { stack: "mitene-prod-ap-northeast-1-green", resources: [] }]);
        assert.deepEqual(found.map((v) => [v.stack, v.message]), [["region-prod-us-west-2", "50% of the traffic goes to green, but there is no cluster stack mitene-prod-us-west-2-green"]]);
    });

    it("flags weight in an env rendered without any cluster stack", async () => {
        assert.equal((await weightsOnDeployedColors.check([ops, region({ blue: 100, green: 0 })])).length, 1);
    });

    // Without the env's Ops stack the graphs are single stacks (`render --stack`), not the env.
    it("skips a region rendered without the rest of its env", async () => {
        assert.deepEqual(await weightsOnDeployedColors.check([region({ blue: 100, green: 0 })]), []);
        assert.deepEqual(await weightsOnDeployedColors.check([{ stack: "ops-staging", resources: [] }, region({ blue: 100, green: 0 })]), []);
    });

    it("mitene policy passes a render of the committed region-prod-us-west-2 alone", async () => {
        const out = await renderedStack("prod", "region-prod-us-west-2");
        try {
            const { code, json } = await cli(["policy", out, "--json"]);
            assert.deepEqual([code, (json as { violations: unknown[] }).violations], [0, []]);
        } finally {
            rmSync(out, { recursive: true, force: true });
        }
    });

    describe("mitene policy --env over a hand-edited stack file", function () {
        let dir: string;
        before(() => {
            dir = path.join(mkdtempSync(path.join(tmpdir(), "stacks-")), "stacks");
            cpSync(STACKS_DIR, dir, { recursive: true, filter: (f) => !f.endsWith(".ts") });
        });
        after(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

        it("passes the committed stack files", async () => {
            const { code } = await cli(["policy", "--env", "prod", "--stacks", dir, "--json"]);
            assert.equal(code, 0);
        });

        it("fails once green carries weight in us-west-2 without its cluster stack", async () => {
            const file = path.join(dir, "Pulumi.region-prod-us-west-2.yaml");
            writeFileSync(file, readFileSync(file, "utf8").replace(/blue: 100\n(\s+)green: 0/, "blue: 75\n$1green: 25"));
            const render = await cli(["render", "--env", "prod", "--stacks", dir, "--out", path.join(path.dirname(dir), "render"), "--json"]);
            assert.equal(render.code, 0, "it renders");
            const { code, json } = await cli(["policy", "--env", "prod", "--stacks", dir, "--json"]);
            assert.equal(code, 1);
            const violations = (json as { violations: { rule: string; message: string }[] }).violations;
            assert.deepEqual(violations.map((v) => v.rule), ["weights-on-deployed-colors"]);
            assert.match(violations[0].message, /25% of the traffic goes to green, but there is no cluster stack mitene-prod-us-west-2-green/);
        });
    });
});
