import * as pulumi from "@pulumi/pulumi";
import { runStack } from "./program";
import { STACK_SECTIONS } from "./sections";

export = runStack(pulumi.runtime.allConfig(), STACK_SECTIONS);
