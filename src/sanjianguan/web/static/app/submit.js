/* 数据提交: send the batch with upload progress; without XMLHttpRequest the form posts as usual. */
(function () {
  "use strict";
  var form = document.getElementById("sub-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var bar = document.getElementById("sub-progress");
  var status = document.getElementById("sub-status");
  var button = document.getElementById("sub-submit");
  var sending = false;

  function show(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    document.title = doc.title;
    document.body.innerHTML = doc.body.innerHTML;
  }

  form.addEventListener("submit", function (event) {
    if (sending) { event.preventDefault(); return; }
    var input = document.getElementById("sub-file");
    var max = parseInt(form.getAttribute("data-max-bytes"), 10);
    if (input.files.length === 1 && max && input.files[0].size > max) {
      event.preventDefault();
      status.textContent = "文件超过大小上限，未上传";
      return;
    }
    event.preventDefault();
    sending = true;
    button.disabled = true;
    bar.hidden = false;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var pct = Math.round(100 * e.loaded / e.total);
        bar.value = pct;
        status.textContent = pct < 100 ? "正在上传 " + pct + "%" : "上传完成，正在校验入库，请稍候……";
      }
    });
    xhr.addEventListener("load", function () {
      if (xhr.status === 200 && xhr.responseURL && xhr.responseURL.indexOf("/submissions/") !== -1) {
        window.location.assign(xhr.responseURL);
      } else {
        show(xhr.responseText);
      }
    });
    xhr.addEventListener("error", function () {
      sending = false;
      button.disabled = false;
      status.textContent = "上传中断，请检查网络后重新提交";
    });
    xhr.send(new FormData(form));
  });
})();
