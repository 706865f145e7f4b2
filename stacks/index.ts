/**
 * Entry point of the Pulumi project (`pulumi up -s <stack>` from the repository root).
 */
import * as pulumi from "@pulumi/pulumi";
import { programConfig } from "./config/load";
import { programFor } from "./programs";

// MITENE_ACCESS is read here, from the environment the CLI (or the driver) gives the program, and validated once in the config loader.
export = programFor(pulumi.getStack())(programConfig(), { MITENE_ACCESS: process.env.MITENE_ACCESS });
