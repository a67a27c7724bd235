// Name and version as package.json states them (esbuild keeps only the imported keys in the bundle).
import { version } from '../../../package.json';

export const PRODUCT_NAME = 'digest-pin';
export const PRODUCT_VERSION: string = version;
