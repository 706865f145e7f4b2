/** The provider plugins of the fake cloud: one per package the stack programs use (`pulumi-resource-<name>`). */
export const PLUGINS = ["aws", "eks", "awsx", "kubernetes"] as const;
export type PluginName = (typeof PLUGINS)[number];
