/**
 * The policy pack started exactly as `pulumi preview --policy-pack ./policy` starts it (the CLI's
 * `pulumi-analyzer-policy` shim runs @pulumi/pulumi's policy runner in policy/ with the engine address and
 * "."), then asked over the analyzer gRPC protocol what it enforces and to judge resources.
 */
import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import * as path from "node:path";
import { createInterface } from "node:readline";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { AnalyzeRequest, AnalyzeResponse, AnalyzerInfo, AnalyzerResourceOptions, EnforcementLevel } from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { RULES } from "../../policy/rules";

const POLICY_DIR = path.resolve(__dirname, "../../policy");
const RUNNER = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
/** How the engine encodes a value that is not known during a preview. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Starts the pack; it prints the port of its analyzer server once the policies are loaded. */
async function startPack(): Promise<{ pack: ChildProcess; port: string }> {
    // A tsx preload breaks the runner's own TypeScript compilation (see policy/index.ts); keep a caller's out.
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const pack = spawn(process.execPath, [RUNNER, "127.0.0.1:0", "."], { cwd: POLICY_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    pack.stderr.on("data", (chunk) => (stderr += String(chunk)));
    const firstLine = once(createInterface({ input: pack.stdout }), "line") as Promise<string[]>;
    const exited = once(pack, "exit").then(([code]) => `the policy pack exited with ${String(code)}:\n${stderr}`);
    const started = await Promise.race([firstLine, exited]);
    if (typeof started === "string") throw new Error(started);
    const [port] = started;
    return { pack, port };
}

const call = <T>(invoke: (callback: (error: grpc.ServiceError | null, response: T) => void) => void) =>
    new Promise<T>((resolve, reject) => invoke((error, response) => (error ? reject(error) : resolve(response))));

describe("policy pack under the Pulumi policy runner", () => {
    let pack: ChildProcess;
    let client: AnalyzerClient;
    before(async () => {
        const started = await startPack();
        pack = started.pack;
        client = new AnalyzerClient(`127.0.0.1:${started.port}`, grpc.credentials.createInsecure());
    });
    after(() => {
        client?.close();
        pack?.kill();
    });

    const analyze = (type: string, name: string, inputs: Record<string, unknown>) => {
        const request = new AnalyzeRequest()
            .setType(type)
            .setName(name)
            .setUrn(`urn:pulumi:ops-prod::mitene::${type}::${name}`)
            .setProperties(Struct.fromJavaScript(inputs as Parameters<typeof Struct.fromJavaScript>[0]))
            .setOptions(new AnalyzerResourceOptions());
        return call<AnalyzeResponse>((callback) => client.analyze(request, callback));
    };

    it("loads as mitene-security and enforces every rule at its level", async () => {
        const info = await call<AnalyzerInfo>((callback) => client.getAnalyzerInfo(new Empty(), callback));
        assert.equal(info.getName(), "mitene-security");
        const level = { mandatory: EnforcementLevel.MANDATORY, advisory: EnforcementLevel.ADVISORY };
        assert.deepEqual(
            info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]),
            RULES.map((rule) => [rule.name, level[rule.enforcementLevel]]),
        );
    });

    it("reports a violation as the engine receives it", async () => {
        const diagnostics = (await analyze("aws:kms/key:Key", "secrets", { enableKeyRotation: false })).getDiagnosticsList();
        assert.deepEqual(diagnostics.map((d) => [d.getPolicyname(), d.getEnforcementlevel()]), [["kms-key-rotation", EnforcementLevel.MANDATORY]]);
        // The SDK puts the policy's description before the rule's message.
        assert.match(diagnostics[0].getMessage(), /\nenableKeyRotation must be true$/);
    });

    // The key is created in the same update, so its ARN is unknown in the preview: it is still a customer key.
    it("accepts a secrets key whose ARN a preview does not know yet", async () => {
        const cluster = {
            vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false, subnetIds: ["subnet-1"] },
            accessConfig: { authenticationMode: "API" },
            encryptionConfig: { provider: { keyArn: UNKNOWN }, resources: ["secrets"] },
            enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
        };
        assert.deepEqual((await analyze("aws:eks/cluster:Cluster", "svc-cluster-eksCluster", cluster)).getDiagnosticsList(), []);
    });
});
