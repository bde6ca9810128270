export { type TrackedScript, type CodeTracker, type ScriptListener } from './types.js';
export { InspectorCodeTracker, type TrackerStats } from './tracker.js';
export { scriptUrlToPath, classifyScript, isAgentFile } from './classify.js';
