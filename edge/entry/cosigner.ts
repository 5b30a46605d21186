/** Bundle entry of the origin-request function; the only bundle that knows the signing-key secret id. */
import { parseBuildConfig } from '../config';
import { createCosignerHandler } from '../triggers/cosigner';
import { cosignerDeps } from '../triggers/deps';

declare const __GK_BUILD_CONFIG__: unknown;

export const handler = createCosignerHandler(cosignerDeps(parseBuildConfig(__GK_BUILD_CONFIG__)));
