// Reconstruction for publish's tests: the Dante starter's layout, not its code.
import { defineConfig } from 'astro/config';

export default defineConfig({ site: 'https://dante.example' });
