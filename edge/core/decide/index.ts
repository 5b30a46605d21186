export { decideAccess } from './access';
export { decideCosign, viewerCountry, MAX_GRANTS_PER_COSIGN } from './cosign';
export { decideList, MAX_LIST_KEYS } from './list';
export { decidePreflight, EXPOSED_HEADERS, type PreflightTarget } from './preflight';
export type { CoreConfig, DecideContext, Signer } from './context';
