/**
 * Entry point of the fake-cloud provider plugins (`pulumi-resource-<name>`, built by automation/local/plugins.ts): one per package the stack
 * programs use, each reporting the version of that package's SDK in node_modules, so the engine takes them for
 * the plugins the SDKs ask for. Each loads only its own provider (the aws one pulls in the AWS SDK clients).
 */
import { profileStart } from "../../tools/pulumi-plugins/lifecycle";
import { PluginName } from "./names";
import { packageVersion, servePlugin } from "./plugin";

/* eslint-disable @typescript-eslint/no-require-imports */
export async function serve(name: PluginName): Promise<void> {
    profileStart(`pulumi-resource-${name}`);
    switch (name) {
        case "aws": {
            const { FakeAwsProvider } = require("./aws") as typeof import("./aws");
            const aws = new FakeAwsProvider(process.env.MITENE_AWS_ENDPOINT || undefined);
            return servePlugin(aws, { onConfigure: (config) => aws.configure(config) });
        }
        case "eks":
            return servePlugin((require("./components") as typeof import("./components")).fakeEksProvider());
        case "awsx":
            return servePlugin((require("./components") as typeof import("./components")).fakeAwsxProvider());
        case "kubernetes": {
            // Kubernetes objects exist only in the engine's state: no API server is reachable from here.
            const { FakeResourceProvider } = require("./fakeProvider") as typeof import("./fakeProvider");
            return servePlugin(new FakeResourceProvider(packageVersion("@pulumi/kubernetes")));
        }
    }
}
/* eslint-enable @typescript-eslint/no-require-imports */
