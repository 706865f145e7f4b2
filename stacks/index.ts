/**
 * Entry point of the Pulumi project (`pulumi up -s <stack>` from the repository root).
 */
import * as pulumi from "@pulumi/pulumi";
import { programConfig } from "./config/load";
import { programFor } from "./programs";

export = programFor(pulumi.getStack())(programConfig());
