/**
 * The isolation hook of 共済デスク: every IPC message of a window passes through here,
 * in Tauri's sandboxed isolation iframe, before it is encrypted for the core.
 *
 * Only the shape of a message is checked — a command name of ours or of a plugin, the
 * two callback ids, and arguments as a plain object with camelCase names; the ACL
 * (capabilities) and the commands themselves check the rest. A message of another
 * shape is not dropped (its caller would wait forever) but turned into a call of a
 * command that no capability grants, which the core refuses.
 *
 * A plain script (no imports): Tauri inlines it into index.html.
 */
(function () {
  "use strict";

  var APP_COMMAND = /^[a-z][a-z0-9_]{0,63}$/;
  var PLUGIN_COMMAND = /^plugin:[a-z][a-z0-9-]{0,63}\|[a-z][a-z0-9_]{0,63}$/;
  var ARGUMENT_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
  /** Granted by no capability: the core answers "not allowed by ACL". */
  var REFUSED_COMMAND = "isolation_refused";

  function isPlainObject(value) {
    if (typeof value !== "object" || value === null) return false;
    var proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
  }

  function isCallbackId(value) {
    return Number.isSafeInteger(value) && value >= 0;
  }

  function hasValidShape(message) {
    return (
      isPlainObject(message) &&
      typeof message.cmd === "string" &&
      (APP_COMMAND.test(message.cmd) || PLUGIN_COMMAND.test(message.cmd)) &&
      isCallbackId(message.callback) &&
      isCallbackId(message.error) &&
      isPlainObject(message.payload) &&
      Object.keys(message.payload).every(function (name) {
        return ARGUMENT_NAME.test(name);
      })
    );
  }

  window.__TAURI_ISOLATION_HOOK__ = function (message) {
    if (hasValidShape(message)) return message;
    var known = isPlainObject(message) ? message : {};
    return {
      cmd: REFUSED_COMMAND,
      callback: known.callback,
      error: known.error,
      payload: {},
      options: known.options,
    };
  };
})();
