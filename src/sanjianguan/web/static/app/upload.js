/* 上传进度: submits an upload form (`form[data-upload]`) with XMLHttpRequest to show the
   upload's progress in its <progress> element and as a percentage. Without JavaScript the
   form is submitted normally. A refused answer (400/403/409, an HTML page) replaces the
   document; a 413 from the server's size guard (JSON) is shown next to the progress bar;
   success (the 303 is followed) opens the page it led to. */
(function () {
  "use strict";

  function showError(form, text) {
    var box = form.querySelector("#upload-error");
    if (box) {
      box.textContent = text;
      box.hidden = false;
    }
  }

  function replaceDocument(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    document.title = doc.title;
    document.body.replaceWith(document.adoptNode(doc.body));
    init();
  }

  function onLoad(form, xhr, button) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (xhr.status >= 200 && xhr.status < 300 && xhr.responseURL) {
      window.location.assign(xhr.responseURL);
      return;
    }
    if (type.indexOf("text/html") === 0) {
      replaceDocument(xhr.responseText);
      return;
    }
    button.disabled = false;
    var message = "上传失败（" + xhr.status + "），请重试";
    try {
      var detail = JSON.parse(xhr.responseText).detail;
      if (detail && detail.message_zh) {
        message = detail.message_zh;
      }
    } catch (ignored) {
      /* not JSON: keep the generic message */
    }
    showError(form, message);
  }

  function submit(form, event) {
    if (typeof FormData === "undefined" || typeof XMLHttpRequest === "undefined") {
      return; /* the browser submits the form itself */
    }
    event.preventDefault();
    var button = form.querySelector("#action-submit");
    var box = form.querySelector("#upload-progress");
    var bar = form.querySelector("#upload-bar");
    var percent = form.querySelector("#upload-percent");
    if (button.disabled) {
      return; /* already on its way: a second click sends nothing */
    }
    button.disabled = true;
    box.hidden = false;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var done = Math.round((e.loaded / e.total) * 100);
        bar.value = done;
        percent.textContent = done + "%";
      }
    });
    xhr.addEventListener("load", function () {
      onLoad(form, xhr, button);
    });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      showError(form, "网络连接中断，文件未能上传，请重试");
    });
    xhr.send(new FormData(form));
  }

  function init() {
    var forms = document.querySelectorAll("form[data-upload]");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("submit", function (event) {
        submit(form, event);
      });
    });
  }

  init();
})();
