/** Bundle entry of the viewer-request function. The build bakes the config in (no environment variables at the edge). */
import { parseBuildConfig } from '../config';
import { createGateHandler } from '../triggers/gate';
import { gateDeps } from '../triggers/deps';

declare const __GK_BUILD_CONFIG__: unknown;

export const handler = createGateHandler(gateDeps(parseBuildConfig(__GK_BUILD_CONFIG__)));
