/**
 * Setting limits and defaults for both sides. They are defined once, in shared/settings.ts (the
 * server's schema is built from them); this module names them for the renderer's Settings form and
 * the projects router. Pure values: no Node.
 */
export { SETTING_DEFAULTS, SETTING_LIMITS } from './settings'
