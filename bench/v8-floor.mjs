// The V8 floor: a bare breakpoint on the probed line of target.cjs whose condition is the
// literal `false`, set by an inspector session of its own, with no agent code involved. The
// session is enabled only while the floor is measured (and the agent is stopped meanwhile): V8
// sends every script it compiles, each condition evaluation included, to every enabled session,
// so each scenario must run with exactly one session, as an application with the agent does.
import { Session } from 'node:inspector';

export function v8Floor() {
  const session = new Session();
  session.connect();
  let url;
  session.on('Debugger.scriptParsed', (m) => {
    if (m.params.url.endsWith('bench/target.cjs')) url = m.params.url;
  });
  session.post('Debugger.enable');
  session.post('Debugger.disable');
  let breakpointId;
  return {
    arm() {
      session.post('Debugger.enable');
      session.post('Debugger.setBreakpointByUrl', { url, lineNumber: 5, condition: 'false' }, (e, r) => (breakpointId = r.breakpointId));
    },
    disarm() {
      session.post('Debugger.removeBreakpoint', { breakpointId });
      session.post('Debugger.disable');
    },
  };
}
