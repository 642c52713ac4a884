import { modelRollout } from "./model-rollout";

// The rollout recipe as a Pulumi program, for runProgram: one fresh run per revision.
export = modelRollout();
