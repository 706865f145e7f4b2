import { strict as assert } from "node:assert";
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { editStackConfig, readProject, readStackConfig, writeStackConfig } from "../../automation/real/stackFile";

const REPO = path.resolve(__dirname, "../..");
const REGION_FILE = "Pulumi.region-prod-ap-northeast-1.yaml";
const REGION = `# The long-lived edge of prod in ap-northeast-1.
# \`weights\` is moved by \`mitene upgrade\`.
config:
  mitene:vpcCidr: 10.20.0.0/16
  mitene:availabilityZones: [ap-northeast-1a, ap-northeast-1c, ap-northeast-1d]
  mitene:services:
    - name: api
      port: 3000 # the Rails API
  mitene:weights:
    blue: 100
    green: 0
  mitene:gate:
    maxErrorRate: 0.01
`;
const SECRET_FILE = `# ops with a secret
config:
  mitene:region: ap-northeast-1
  mitene:grafanaAdminPassword:
    secure: v1:AAAABBBB
  mitene:argocd:
    hostname: argocd.internal
    sso:
      clientSecret:
        secure: v1:CCCCDDDD
`;

describe("real/stackFile", () => {
    let dir: string;
    let file: string;
    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), "stackfile-"));
        file = path.join(dir, REGION_FILE);
        writeFileSync(file, REGION);
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const lines = (f = file) => readFileSync(f, "utf8").split("\n");
    /** Lines that differ from the committed file, as [committed, edited] pairs. */
    const changed = () => {
        const before = REGION.split("\n");
        const after = lines();
        return after.map((line, i) => [before[i], line]).filter(([a, b]) => a !== b);
    };

    it("rewrites every committed stack file byte for byte when nothing changes", () => {
        for (const name of readdirSync(path.join(REPO, "stacks")).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
            const copy = path.join(dir, name);
            copyFileSync(path.join(REPO, "stacks", name), copy);
            editStackConfig(copy, "mitene", {});
            assert.equal(readFileSync(copy, "utf8"), readFileSync(path.join(REPO, "stacks", name), "utf8"), name);
        }
    });

    it("changes only the lines of the values set, keeping the comments", () => {
        editStackConfig(file, "mitene", { set: { "mitene:weights": { blue: 75, green: 25 }, "mitene:services": [{ name: "api", port: 3001 }] } });
        assert.deepEqual(changed(), [
            ["      port: 3000 # the Rails API", "      port: 3001 # the Rails API"],
            ["    blue: 100", "    blue: 75"],
            ["    green: 0", "    green: 25"],
        ]);
        assert.equal(lines()[0], "# The long-lived edge of prod in ap-northeast-1.");
    });

    it("keeps a quoted string quoted and a trailing comment in place", () => {
        writeFileSync(file, 'config:\n  mitene:kubernetesVersion: "1.34" # pinned by the driver\n');
        editStackConfig(file, "mitene", { set: { "mitene:kubernetesVersion": "1.35" } });
        assert.equal(readFileSync(file, "utf8"), 'config:\n  mitene:kubernetesVersion: "1.35" # pinned by the driver\n');
    });

    it("keeps the comment when a value changes type", () => {
        writeFileSync(file, "config:\n  mitene:upgrade: none # set while an upgrade runs\n");
        editStackConfig(file, "mitene", { set: { "mitene:upgrade": 5 } });
        assert.equal(readFileSync(file, "utf8"), "config:\n  mitene:upgrade: 5 # set while an upgrade runs\n");
    });

    it("appends new keys at the end, lists of plain values in flow style", () => {
        editStackConfig(file, "mitene", { set: { "mitene:upgrade": { to: "1.35", steps: [5, 25, 100] } } });
        assert.deepEqual(lines().slice(-4), ["  mitene:upgrade:", '    to: "1.35"', "    steps: [5, 25, 100]", ""]);
    });

    it("removes keys, and ignores removing a key that is not there", () => {
        editStackConfig(file, "mitene", { remove: ["mitene:gate", "mitene:nothing"] });
        assert.equal(readFileSync(file, "utf8"), REGION.replace("  mitene:gate:\n    maxErrorRate: 0.01\n", ""));
    });

    it("shrinks a list in place, keeping its flow style", () => {
        editStackConfig(file, "mitene", { set: { "mitene:availabilityZones": ["ap-northeast-1a", "ap-northeast-1c"] } });
        assert.deepEqual(changed(), [["  mitene:availabilityZones: [ap-northeast-1a, ap-northeast-1c, ap-northeast-1d]", "  mitene:availabilityZones: [ap-northeast-1a, ap-northeast-1c]"]]);
    });

    it("matches a key the file writes without the project namespace instead of adding a duplicate", () => {
        writeFileSync(file, "config:\n  cron: true\n  aws:region: us-west-2\n");
        editStackConfig(file, "mitene", { set: { "mitene:cron": false } });
        assert.equal(readFileSync(file, "utf8"), "config:\n  cron: false\n  aws:region: us-west-2\n");
        assert.deepEqual(readStackConfig(file, "mitene"), { "mitene:cron": false, "aws:region": "us-west-2" });
    });

    it("creates a missing file", () => {
        const created = path.join(dir, "Pulumi.new.yaml");
        editStackConfig(created, "mitene", { set: { "mitene:cron": true } });
        assert.equal(readFileSync(created, "utf8"), "config:\n  mitene:cron: true\n");
    });

    it("writes a whole config, dropping keys not in it and keeping the file's other settings", () => {
        writeFileSync(file, "encryptionsalt: v1:salt\nconfig:\n  mitene:old: 1\n");
        writeStackConfig(file, "mitene", { "mitene:cron": false, "mitene:zones": ["a", "b"] });
        assert.equal(readFileSync(file, "utf8"), "encryptionsalt: v1:salt\nconfig:\n  mitene:cron: false\n  mitene:zones: [a, b]\n");
    });

    describe("secrets", () => {
        beforeEach(() => writeFileSync(file, SECRET_FILE));

        it("reads a secret as its {secure} ciphertext", () => {
            assert.deepEqual(readStackConfig(file, "mitene")["mitene:grafanaAdminPassword"], { secure: "v1:AAAABBBB" });
        });

        it("refuses to overwrite a secret, leaving the file untouched", () => {
            assert.throws(() => editStackConfig(file, "mitene", { set: { "mitene:grafanaAdminPassword": "hunter2" } }), /refusing to overwrite mitene:grafanaAdminPassword/);
            assert.equal(readFileSync(file, "utf8"), SECRET_FILE);
        });

        it("refuses to remove a key holding a secret", () => {
            assert.throws(() => editStackConfig(file, "mitene", { remove: ["mitene:argocd"] }), /refusing to remove mitene:argocd/);
        });

        it("refuses to drop a nested secret while editing its map", () => {
            assert.throws(() => editStackConfig(file, "mitene", { set: { "mitene:argocd": { hostname: "argocd.internal" } } }), /refusing to remove mitene:argocd.sso/);
        });

        it("keeps a nested secret that is set to itself", () => {
            const argocd = readStackConfig(file, "mitene")["mitene:argocd"] as Record<string, unknown>;
            editStackConfig(file, "mitene", { set: { "mitene:argocd": { ...argocd, hostname: "argo.internal" } } });
            assert.equal(readFileSync(file, "utf8"), SECRET_FILE.replace("argocd.internal", "argo.internal"));
        });

        it("refuses to write ciphertext from elsewhere", () => {
            assert.throws(() => editStackConfig(file, "mitene", { set: { "mitene:copied": { secure: "v1:EEEE" } } }), /refusing to write mitene:copied: a `secure:` value is ciphertext/);
        });
    });

    it("reads a missing stack file as no config", () => {
        assert.deepEqual(readStackConfig(path.join(dir, "Pulumi.none.yaml"), "mitene"), {});
    });

    it("names the file of a YAML error", () => {
        writeFileSync(file, "config:\n  a: [1\n");
        assert.throws(() => readStackConfig(file, "mitene"), new RegExp(`${REGION_FILE}: `));
    });

    it("finds the project name and stack directory in Pulumi.yaml", () => {
        assert.deepEqual(readProject(REPO), { project: "mitene", stacksDir: path.join(REPO, "stacks") });
    });

    it("puts stack files beside Pulumi.yaml when it sets no stackConfigDir", () => {
        writeFileSync(path.join(dir, "Pulumi.yaml"), "name: other\nruntime: nodejs\n");
        assert.deepEqual(readProject(dir), { project: "other", stacksDir: dir });
    });

    it("rejects a Pulumi.yaml without a project name", () => {
        writeFileSync(path.join(dir, "Pulumi.yaml"), "runtime: nodejs\n");
        assert.throws(() => readProject(dir), /Pulumi.yaml: no project name/);
    });
});
