/** Every rule over a whole env's rendered stacks, in the order their violations are listed. */
import type { EnvRule } from "./envGraph";
import { argocdClustersReachable, vpcCidrsDistinct } from "./reachability";
import { readOnlyReach } from "./readOnlyReach";
import { weightsOnDeployedColors } from "./servingColors";

export const ENV_RULES: readonly EnvRule[] = [argocdClustersReachable, vpcCidrsDistinct, weightsOnDeployedColors, readOnlyReach];
