/**
 * Browser JavaScript defining `createSseParser(onEvent)`: the event-stream parser of the HTML standard (lines ending in
 * LF, CR or CRLF, possibly split across chunks; `data` lines joined by LF; `:` comments ignored; `id` remembered), for
 * a `fetch()` body. The dashboard cannot use `EventSource`, which sends no `Authorization` header. A separate string
 * so that a unit test can run it in `node:vm` without a browser.
 */
export const SSE_PARSER_SCRIPT = `
function createSseParser(onEvent) {
  var buffer = '';
  var data = [];
  var type = '';
  var lastEventId = null;
  function dispatch() {
    if (data.length > 0) onEvent({ type: type || 'message', data: data.join('\\n'), id: lastEventId });
    data = [];
    type = '';
  }
  function line(text) {
    if (text === '') { dispatch(); return; }
    if (text.charAt(0) === ':') return;
    var colon = text.indexOf(':');
    var field = colon < 0 ? text : text.slice(0, colon);
    var value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.charAt(0) === ' ') value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') type = value;
    else if (field === 'id' && value.indexOf('\\u0000') < 0) lastEventId = value;
  }
  return {
    push: function (chunk) {
      buffer += chunk;
      var start = 0;
      for (var i = 0; i < buffer.length; i++) {
        var c = buffer.charAt(i);
        if (c !== '\\n' && c !== '\\r') continue;
        // A CR at the very end may be the first half of a CRLF split across chunks: wait for the next one.
        if (c === '\\r' && i + 1 === buffer.length) break;
        line(buffer.slice(start, i));
        if (c === '\\r' && buffer.charAt(i + 1) === '\\n') i++;
        start = i + 1;
      }
      buffer = buffer.slice(start);
    },
    lastEventId: function () { return lastEventId; },
  };
}
`;
