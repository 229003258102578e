// Share page enhancements (served from /assets/share.js so the page's CSP can forbid inline script):
// copy link to the clipboard (and record it), and the native share sheet where the browser has one.
(function () {
  var input = document.getElementById('referral-link');
  var message = document.getElementById('message');
  var copy = document.getElementById('copy-link');
  if (copy && input) {
    copy.addEventListener('click', function () {
      var done = function () { copy.textContent = 'Copied!'; fetch(copy.getAttribute('data-record'), { redirect: 'manual' }).catch(function () {}); };
      if (navigator.clipboard) navigator.clipboard.writeText(input.value).then(done, function () { input.select(); done(); });
      else { input.select(); document.execCommand('copy'); done(); }
    });
  }
  var native = document.getElementById('native-share');
  if (native && navigator.share) {
    native.hidden = false;
    native.addEventListener('click', function () {
      navigator.share({ text: message ? message.value : '', url: input ? input.value : '' }).catch(function () {});
    });
  }
})();
