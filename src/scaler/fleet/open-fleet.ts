/**
 * Opens the fleet a scaler manages from its settings: `local` (worker processes here), `ec2` or `asg`. The cloud
 * fleets are imported lazily, so a local scaler never loads the EC2 or Auto Scaling SDK.
 */
import { ScalerError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import type { Fleet } from "./fleet.ts";

/** The fleet kinds. */
export const FLEET_KINDS = ["local", "ec2", "asg"] as const;

/** One of {@link FLEET_KINDS}. */
export type FleetKind = (typeof FLEET_KINDS)[number];

/** What {@link openFleet} needs; each kind reads its own fields. */
export interface FleetSettings {
  readonly kind: FleetKind;
  /** The fleet's name (ec2: the `thrift-queue:fleet` tag). */
  readonly name: string;
  /** local: the worker command; ec2: the worker command the user data starts. */
  readonly workerCommand?: readonly string[];
  /** local: where instance files and logs live. */
  readonly stateDirectory?: string;
  /** ec2: launch template id (`lt-…`) or name. */
  readonly launchTemplate?: string;
  /** ec2: launch template version. @defaultValue "$Default" */
  readonly launchTemplateVersion?: string;
  /** ec2, asg: region and endpoint. */
  readonly region?: string;
  readonly endpoint?: string;
  /** asg: the group. */
  readonly group?: string;
  /** asg: the termination lifecycle hook, if the group has one. */
  readonly lifecycleHook?: string;
  readonly logger?: Logger;
}

/** Opens the fleet; throws `SCALER_CONFIG` naming what is missing. */
export async function openFleet(settings: FleetSettings): Promise<Fleet> {
  switch (settings.kind) {
    case "local": {
      const { LocalFleet } = await import("./local/local-fleet.ts");
      if (settings.stateDirectory === undefined) {
        throw new ScalerError("SCALER_CONFIG", "the local fleet needs a state directory");
      }
      return new LocalFleet({ command: settings.workerCommand ?? [], stateDirectory: settings.stateDirectory });
    }
    case "ec2": {
      const { createEc2Fleet } = await import("./ec2/ec2-fleet.ts");
      const template = settings.launchTemplate ?? "";
      return createEc2Fleet({
        name: settings.name,
        launchTemplate: {
          ...(template.startsWith("lt-") ? { id: template } : { name: template }),
          ...(settings.launchTemplateVersion === undefined ? {} : { version: settings.launchTemplateVersion }),
        },
        ...(settings.region === undefined ? {} : { region: settings.region }),
        ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
        ...(settings.workerCommand === undefined || settings.workerCommand.length === 0
          ? {}
          : { workerCommand: settings.workerCommand }),
        ...(settings.logger === undefined ? {} : { logger: settings.logger }),
      });
    }
    case "asg":
      return openAsgFleet(settings);
  }
}

async function openAsgFleet(settings: FleetSettings): Promise<Fleet> {
  const { createAsgFleet } = await import("./asg/asg-fleet.ts");
  return createAsgFleet({
    groupName: settings.group ?? "",
    ...(settings.region === undefined ? {} : { region: settings.region }),
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    ...(settings.lifecycleHook === undefined ? {} : { lifecycleHookName: settings.lifecycleHook }),
    ...(settings.logger === undefined ? {} : { logger: settings.logger }),
  });
}
