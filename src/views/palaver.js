// Palaver's one script, served as a file under the CSP (script-src 'self'); every page works
// without it. It reveals and drives the copy buttons beside the join addresses, and remembers
// the reader's time zone in a cookie so the next pages show times in it.
(function () {
  'use strict';

  function copyText(input) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(input.value);
    // Plain-http origins have no async clipboard: select the field and use the old command.
    input.focus();
    input.select();
    return document.execCommand('copy') ? Promise.resolve() : Promise.reject(new Error('copy refused'));
  }

  function setUpCopyButtons() {
    var buttons = document.querySelectorAll('button.copy[data-copy]');
    Array.prototype.forEach.call(buttons, function (button) {
      var input = document.getElementById(button.getAttribute('data-copy'));
      if (!input) return;
      var label = button.textContent;
      button.hidden = false;
      button.addEventListener('click', function () {
        copyText(input).then(
          function () {
            button.textContent = button.getAttribute('data-copied') || label;
            setTimeout(function () { button.textContent = label; }, 2000);
          },
          function () {
            input.focus();
            input.select();
          }
        );
      });
    });
    // A click in a field selects the whole address, with or without the button.
    Array.prototype.forEach.call(document.querySelectorAll('input.copy-source'), function (input) {
      input.addEventListener('focus', function () { input.select(); });
    });
  }

  function rememberTimeZone() {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch {
      return;
    }
    if (!zone || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone) || zone.length > 64) return;
    var current = /(?:^|;\s*)tz=([^;]*)/.exec(document.cookie);
    if (current && decodeURIComponent(current[1]) === zone) return;
    document.cookie = 'tz=' + encodeURIComponent(zone) + '; Path=/; Max-Age=31536000; SameSite=Lax';
  }

  setUpCopyButtons();
  rememberTimeZone();
})();
