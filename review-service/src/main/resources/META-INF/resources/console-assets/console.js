// The review console's behaviour beyond htmx: keyboard shortcuts, marking the ambiguous clause by selecting text,
// the blur toggle and the lease countdown. Plain JavaScript, no dependencies.
(function () {
  'use strict';

  function byId(id) { return document.getElementById(id); }

  // ---------------------------------------------------------------------------- blur toggle
  document.addEventListener('click', function (event) {
    var toggle = event.target.closest('#blur-toggle');
    if (!toggle) { return; }
    var content = byId('task-content');
    var blurred = content.classList.toggle('blurred');
    toggle.setAttribute('aria-pressed', String(blurred));
    toggle.textContent = blurred ? 'Show content' : 'Blur content';
  });

  // ---------------------------------------------------------------------------- clause selection
  // Offsets are UTF-16 code units from the start of the policy text, as the API expects; the rendered text (with
  // <mark> for differences) has exactly the characters of the policy, so Range.toString() counts them.
  function offsetWithin(container, node, offset) {
    var range = document.createRange();
    range.setStart(container, 0);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function policyTextOf(node) {
    var element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return element ? element.closest('.policy-text') : null;
  }

  function captureSelection() {
    var form = byId('decision');
    var selection = window.getSelection();
    if (!form || !selection || selection.isCollapsed || selection.rangeCount === 0) { return; }
    var range = selection.getRangeAt(0);
    var container = policyTextOf(range.startContainer);
    if (!container || container !== policyTextOf(range.endContainer)) { return; }
    var start = offsetWithin(container, range.startContainer, range.startOffset);
    var end = offsetWithin(container, range.endContainer, range.endOffset);
    if (end <= start) { return; }
    var side = container.getAttribute('data-side');
    byId('span-side').value = side;
    byId('span-start').value = String(start);
    byId('span-end').value = String(end);
    byId('clause-status').textContent = 'Marked: version ' + side + ', characters ' + start + '–' + end + ': “'
      + range.toString() + '”';
    document.querySelectorAll('.policy-text').forEach(function (p) {
      p.classList.toggle('has-clause', p === container);
    });
  }

  document.addEventListener('mouseup', captureSelection);
  document.addEventListener('keyup', function (event) {
    if (event.shiftKey && policyTextOf(event.target)) { captureSelection(); }
  });

  document.addEventListener('click', function (event) {
    if (!event.target.closest('#clause-clear')) { return; }
    ['span-side', 'span-start', 'span-end'].forEach(function (id) { byId(id).value = ''; });
    byId('clause-status').textContent = 'None marked. Select text in a policy version to mark the clause that made it ambiguous.';
    document.querySelectorAll('.policy-text').forEach(function (p) { p.classList.remove('has-clause'); });
  });

  // ---------------------------------------------------------------------------- keyboard shortcuts
  function check(id) {
    var input = byId(id);
    if (input) { input.checked = true; input.focus(); }
  }

  function submitDecision(form) {
    if (typeof form.requestSubmit === 'function') { form.requestSubmit(); } else { form.submit(); }
  }

  document.addEventListener('keydown', function (event) {
    var form = byId('decision');
    if (!form) { return; }
    if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') {
      event.preventDefault();
      submitDecision(form);
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) { return; }
    var target = event.target;
    // Typing in a text field is typing, not a shortcut.
    if (target.closest('textarea, input[type=text], input:not([type]), select, [contenteditable=true]')) { return; }
    switch (event.key) {
      case '1': check('label-1'); break;
      case '0': check('label-0'); break;
      case 'a': case 'A': check('version-a'); break;
      case 'b': case 'B': check('version-b'); break;
      case 's': case 'S': {
        var release = byId('release');
        if (release) { submitDecision(release); }
        break;
      }
      case 'Enter':
        // Buttons and links keep their own Enter.
        if (target.closest('button, a')) { return; }
        submitDecision(form);
        break;
      default: return;
    }
    event.preventDefault();
  });

  // ---------------------------------------------------------------------------- signed out meanwhile
  // A request whose session ended was redirected to the login page: never swap that page into the form; reload, so the
  // login returns to this page afterwards.
  document.addEventListener('htmx:beforeSwap', function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.responseURL && new URL(xhr.responseURL).pathname === '/login') {
      event.detail.shouldSwap = false;
      window.location.reload();
    }
  });

  // ---------------------------------------------------------------------------- after htmx swaps
  document.addEventListener('htmx:afterSwap', function (event) {
    var focus = event.detail.target.querySelector('[data-autofocus]');
    if (focus) { focus.focus(); }
  });

  // ---------------------------------------------------------------------------- lease countdown
  function tick() {
    var left = byId('lease-left');
    if (!left) { return; }
    var ms = Number(left.getAttribute('data-expire')) - Date.now();
    if (ms <= 0) {
      left.textContent = 'no time';
      left.closest('.lease').classList.add('expired');
      return;
    }
    var seconds = Math.floor(ms / 1000);
    left.textContent = Math.floor(seconds / 60) + ' min ' + String(seconds % 60).padStart(2, '0') + ' s';
  }
  document.addEventListener('DOMContentLoaded', tick);
  setInterval(tick, 1000);
})();
