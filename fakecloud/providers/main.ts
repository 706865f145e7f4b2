/**
 * Entry point of the fake-cloud provider plugins (bin/pulumi-resource-<name>): one per package the stack
 * programs use, each reporting the version of that package's SDK in node_modules, so the engine takes them for
 * the plugins the SDKs ask for.
 */
import { FakeAwsProvider } from "./aws";
import { fakeAwsxProvider, fakeEksProvider } from "./components";
import { FakeResourceProvider } from "./fakeProvider";
import { packageVersion, servePlugin } from "./plugin";

export const PLUGINS = ["aws", "eks", "awsx", "kubernetes"] as const;
export type PluginName = (typeof PLUGINS)[number];

export async function serve(name: PluginName): Promise<void> {
    switch (name) {
        case "aws": {
            const aws = new FakeAwsProvider(process.env.MITENE_AWS_ENDPOINT || undefined);
            return servePlugin(aws, { onConfigure: (config) => aws.configure(config) });
        }
        case "eks":
            return servePlugin(fakeEksProvider());
        case "awsx":
            return servePlugin(fakeAwsxProvider());
        case "kubernetes":
            // Kubernetes objects exist only in the engine's state: no API server is reachable from here.
            return servePlugin(new FakeResourceProvider(packageVersion("@pulumi/kubernetes")));
    }
}
