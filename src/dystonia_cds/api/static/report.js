/* The report page's Print button. A file, not an onclick attribute, so the page works under
   a Content-Security-Policy without 'unsafe-inline' scripts. */
"use strict";
document.getElementById("print-report")?.addEventListener("click", () => window.print());
