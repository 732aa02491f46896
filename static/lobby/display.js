// The lobby display: a chime and a spoken call for every new call or recall.
// Browsers play sound only after a tap on the page, so the TV shows a button for that once.
// Which call is new is told by the board's data-call-key (the call's id in the trail): a board
// fetched after a reconnect announces the latest call once if it was missed, never twice.
(function () {
  "use strict";

  var audio = null;
  var heard = null;  // the call key last announced (or present when the page opened)

  function board() { return document.getElementById("display-board"); }

  function chime() {
    if (!audio) return;
    var t = audio.currentTime;
    [[659.25, 0], [523.25, 0.45]].forEach(function (note) {
      var o = audio.createOscillator(), g = audio.createGain();
      o.type = "sine";
      o.frequency.value = note[0];
      g.gain.setValueAtTime(0.0001, t + note[1]);
      g.gain.exponentialRampToValueAtTime(0.4, t + note[1] + 0.03);
      g.gain.exponentialRampToValueAtTime(0.0001, t + note[1] + 0.9);
      o.connect(g); g.connect(audio.destination);
      o.start(t + note[1]); o.stop(t + note[1] + 1);
    });
  }

  function speak(text, lang) {
    if (!audio || !text || !("speechSynthesis" in window)) return;
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = lang || "zh-CN";
    utterance.rate = 0.9;
    var voice = window.speechSynthesis.getVoices().find(function (v) {
      return v.lang && v.lang.toLowerCase().indexOf(utterance.lang.slice(0, 2).toLowerCase()) === 0;
    });
    if (voice) utterance.voice = voice;
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(utterance);
  }

  function announce() {
    var el = board();
    if (!el) return;
    var key = el.dataset.callKey || "";
    if (heard === null) { heard = key; return; }  // what was on screen at start: no sound
    if (!key || key === heard) return;
    heard = key;
    var now = el.querySelector(".now");
    if (now) { now.classList.remove("flash"); void now.offsetWidth; now.classList.add("flash"); }
    chime();
    var text = el.dataset.say, lang = el.dataset.sayLang;
    setTimeout(function () { speak(text, lang); }, 1400);
  }

  document.addEventListener("DOMContentLoaded", announce);
  document.addEventListener("htmx:oobAfterSwap", announce);
  document.addEventListener("htmx:afterSettle", announce);
  document.addEventListener("htmx:wsAfterMessage", announce);

  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("#sound-on");
    if (!button) return;
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      audio = audio || new Ctx();
      audio.resume();
      chime();
    } catch (err) { audio = null; }
    button.hidden = true;
  });
})();
