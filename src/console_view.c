/* console_view.c - what every console page is made of: the frame, the
 * style sheet and the script (served as files, so the pages carry no inline
 * script and the Content-Security-Policy can forbid any), and the small
 * pieces each page uses for accounts, money, times and pictures.
 */
#include "console_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graphviz.h"
#include "html.h"
#include "render.h"
#include "timefmt.h"

#define CON_SVG_MAX (8 << 20) /* largest picture inlined */

const char con_css[] =
    ":root{--ink:#1d2733;--muted:#5b6878;--line:#dde3ea;--bg:#f4f6f9;--card:#fff;"
    "--accent:#1f4e8c;--freeze:#b42318;--hold:#b54708;--review:#175cd3}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:14px/1.45 -apple-system,'Segoe UI',Roboto,'DejaVu Sans',"
    "Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg)}\n"
    "a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}\n"
    "header.top{display:flex;align-items:center;gap:24px;padding:10px 24px;"
    "background:#14263f;color:#fff}\n"
    "header.top a{color:#fff}.brand{font-weight:700;font-size:16px;letter-spacing:.3px}\n"
    ".brand span{font-weight:400;opacity:.75}\nheader nav{display:flex;gap:16px}\n"
    "header nav a{opacity:.85}header .meta{margin-left:auto;font-size:12px;opacity:.8}\n"
    "header form input{width:240px;padding:5px 8px;border-radius:4px;border:0;"
    "font:inherit}\n"
    "main{padding:20px 24px;max-width:1500px;margin:0 auto}\n"
    "h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:22px 0 8px}\n"
    ".sub{color:var(--muted);margin:0 0 16px}\n"
    ".card{background:var(--card);border:1px solid var(--line);border-radius:6px;"
    "padding:14px 16px;margin-bottom:16px}\n"
    ".card>h2:first-child,.card>.note:first-child{margin-top:0}\n"
    ".row{display:flex;gap:16px;flex-wrap:wrap}.row>.card{flex:1 1 280px}"
    ".row>.card.wide{flex:2 1 520px}\n"
    ".stats{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:16px}\n"
    ".stat{background:var(--card);border:1px solid var(--line);border-radius:6px;"
    "padding:10px 16px;min-width:130px}\n"
    ".stat b{display:block;font-size:22px}.stat span{color:var(--muted);font-size:12px}\n"
    "table{border-collapse:collapse;width:100%}\n"
    "th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);"
    "vertical-align:top}\n"
    "th{font-size:12px;color:var(--muted);font-weight:600;background:#f8fafc}\n"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "tbody tr:hover{background:#f5f8fc}\n"
    "td,dd{overflow-wrap:anywhere}\n"
    "a.acct,a.rq,.badge,.t time,.t .lt,td.bank{white-space:nowrap}"
    "h1 .mono{font-size:inherit}\n"
    ".badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;"
    "font-weight:700;color:#fff}\n"
    ".FREEZE{background:var(--freeze)}.HOLD{background:var(--hold)}"
    ".REVIEW{background:var(--review)}\n"
    ".code{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px;"
    "background:#eef2f7;border-radius:3px;padding:1px 5px;margin-right:4px;"
    "white-space:nowrap}\n"
    ".mono{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12.5px}\n"
    ".t .lt{display:block;color:var(--muted);font-size:12px}\n"
    "form.filters{display:flex;gap:12px;flex-wrap:wrap;align-items:flex-end}\n"
    "form.filters label{display:flex;flex-direction:column;font-size:12px;"
    "color:var(--muted);gap:3px}\n"
    "form.filters input,form.filters select{font:inherit;padding:5px 8px;"
    "border:1px solid #c5cdd8;border-radius:4px;min-width:120px}\n"
    "form.filters input[type=checkbox]{min-width:0;margin:0 4px 0 0}\n"
    "form.filters fieldset{border:0;padding:0;margin:0;display:flex;gap:8px;"
    "align-items:center}\n"
    "form.filters fieldset label{flex-direction:row;color:var(--ink);font-size:13px}\n"
    "button,.button{font:inherit;padding:6px 14px;border-radius:4px;border:1px solid "
    "var(--accent);background:var(--accent);color:#fff;cursor:pointer}\n"
    ".button.plain{background:#fff;color:var(--accent)}\n"
    ".error{background:#fef3f2;border:1px solid #fecdca;color:#912018;padding:8px 12px;"
    "border-radius:4px;margin-bottom:12px}\n"
    ".note{color:var(--muted);font-size:12px}\n"
    "dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}\n"
    "dl.kv dt{color:var(--muted)}dl.kv dd{margin:0}\n"
    ".graph{overflow:auto;background:#fff}.graph svg{max-width:100%;height:auto}\n"
    ".chart svg{width:100%;height:auto}\n"
    ".live{display:inline-block;width:8px;height:8px;border-radius:4px;background:#12b76a;"
    "margin-right:6px}\n"
    ".legend span{margin-right:12px;font-size:12px}\n"
    ".legend i{display:inline-block;width:10px;height:10px;margin-right:4px;"
    "border-radius:2px}\n"
    ".over{color:var(--freeze);font-weight:600}\n"
    "footer{color:var(--muted);font-size:12px;padding:8px 24px 24px;max-width:1500px;"
    "margin:0 auto}\n";

/* Local times in the operator's zone, and live updates of the list: the
 * page polls /api/status and, when something new arrived, fetches itself
 * and swaps the #live section. The markup always comes from the server,
 * which escaped it; the script never builds markup from data. */
const char con_js[] =
    "(function(){'use strict';\n"
    "var zone=document.documentElement.getAttribute('data-zone')||undefined;\n"
    "function fmt(ms){var f=new Intl.DateTimeFormat('en-CA',{timeZone:zone,year:'numeric',"
    "month:'2-digit',day:'2-digit',hour:'2-digit',minute:'2-digit',second:'2-digit',"
    "hour12:false,timeZoneName:'short'});var p={};f.formatToParts(new Date(ms))."
    "forEach(function(x){p[x.type]=x.value;});return p.year+'-'+p.month+'-'+p.day+' '+"
    "(p.hour==='24'?'00':p.hour)+':'+p.minute+':'+p.second+' '+p.timeZoneName;}\n"
    "function local(root){try{root.querySelectorAll('.lt[data-ms]').forEach(function(e)"
    "{e.textContent=fmt(Number(e.getAttribute('data-ms')));});"
    "var z=document.getElementById('zone');if(z)z.textContent=new Intl.DateTimeFormat("
    "'en',{timeZone:zone}).resolvedOptions().timeZone;}catch(x){}}\n"
    "local(document);\n"
    "var live=document.getElementById('live');if(!live||!window.fetch)return;\n"
    "var seq=live.getAttribute('data-seq');\n"
    "function poll(){fetch('/api/status',{credentials:'same-origin',cache:'no-store'})"
    ".then(function(r){return r.json();}).then(function(s){if(String(s.seq)===seq)return;"
    "return fetch(location.href,{credentials:'same-origin',cache:'no-store'})"
    ".then(function(r){return r.text();}).then(function(t){var d=new DOMParser()"
    ".parseFromString(t,'text/html');var n=d.getElementById('live');if(!n)return;"
    "live.replaceWith(n);live=n;seq=n.getAttribute('data-seq');local(n);});})"
    ".catch(function(){}).then(function(){setTimeout(poll,2000);});}\n"
    "setTimeout(poll,2000);})();\n";

void con_page_head(FILE *out, const con_view *v, const char *title, uint64_t seq)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\" data-zone=\"", out);
    html_text(out, v->zone, 0);
    fputs("\">\n<head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
          "<title>",
          out);
    html_text(out, title, 200);
    fputs(" - interdict console</title><link rel=\"stylesheet\" href=\"/static/console.css\">"
          "</head>\n<body>\n<header class=\"top\"><a class=\"brand\" href=\"/\">interdict "
          "<span>console</span></a><nav><a href=\"/\">Freeze requests</a>"
          "<a href=\"/api\">JSON API</a></nav>"
          "<form action=\"/accounts\" method=\"get\"><input name=\"id\" "
          "placeholder=\"Go to account\" aria-label=\"account id\"></form>"
          "<span class=\"meta\">",
          out);
    html_text(out, v->c->topic_interceptions, 100);
    fprintf(out, " &middot; %llu requests read &middot; read-only</span></header>\n<main>\n",
            (unsigned long long)seq);
}

void con_page_foot(FILE *out)
{
    fputs("</main>\n<footer>interdict " INTERDICT_VERSION " console &middot; read-only "
          "&middot; times in UTC and in <span id=\"zone\">the browser's zone</span></footer>\n"
          "<script src=\"/static/console.js\"></script>\n</body>\n</html>\n",
          out);
}

char *con_account_href(const con_view *v, const char *account)
{
    char *href = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&href, &len);
    if (!out)
        return NULL;
    fputs("/accounts/", out);
    if (v->mask == CON_MASK_NONE) {
        html_url(out, account);
    } else {
        size_t n = 2 * strlen(account) + 2;
        char *t = malloc(n);
        if (t)
            fputs(con_token(&v->key, account, t, n), out);
        free(t);
    }
    fclose(out);
    return href;
}

void con_account_link(FILE *out, const con_view *v, const char *account)
{
    char shown[256];
    char *href = con_account_href(v, account);
    fputs("<a class=\"acct mono\" href=\"", out);
    html_text(out, href, 0);
    fputs("\">", out);
    /* Ids are at most 34 characters; anything longer is cut on the page. */
    html_text(out, con_mask(v->mask, account, shown, sizeof(shown)), 40);
    fputs("</a>", out);
    free(href);
}

void con_money(FILE *out, int64_t minor, const char *currency)
{
    char buf[96];
    render_amount(minor, currency, buf, sizeof(buf));
    html_text(out, buf, 0);
}

void con_time(FILE *out, int64_t ms)
{
    char t[32];
    if (ms <= 0 || tf_format(ms, t, sizeof(t)) < 0) {
        fputs("-", out);
        return;
    }
    t[10] = ' ';
    t[23] = '\0';
    fprintf(out,
            "<span class=\"t\"><time datetime=\"%.10sT%sZ\">%s UTC</time>"
            "<span class=\"lt\" data-ms=\"%lld\"></span></span>",
            t, t + 11, t, (long long)ms);
}

void con_time_text(FILE *out, const char *rfc3339)
{
    int64_t ms = 0;
    if (rfc3339 && tf_parse(rfc3339, strlen(rfc3339), &ms) == 0)
        con_time(out, ms);
    else
        html_text(out, rfc3339, 80);
}

/* An SVG document from Graphviz, inline: from its <svg element on. */
static void inline_svg(FILE *out, const char *svg, size_t len)
{
    const char *start = memmem(svg, len, "<svg", 4);
    if (start)
        fwrite(start, 1, len - (size_t)(start - svg), out);
}

/* The DOT picture as SVG (Graphviz's dot): the malloc'd SVG, or NULL with
 * errstr filled. */
static char *dot_to_svg(const char *dot, size_t len, size_t *svg_len, char *errstr,
                        size_t errstr_size)
{
    char path[512];
    const char *base = getenv("TMPDIR");
    snprintf(path, sizeof(path), "%s/interdict-console-XXXXXX.svg", base && *base ? base : "/tmp");
    int fd = mkstemps(path, 4);
    if (fd < 0) {
        snprintf(errstr, errstr_size, "%.400s: %s", path, strerror(errno));
        return NULL;
    }
    close(fd);
    char *svg = NULL;
    if (gv_render(dot, len, GV_SVG, path, errstr, errstr_size) == 0) {
        FILE *f = fopen(path, "rb");
        svg = f ? malloc(CON_SVG_MAX + 1) : NULL;
        *svg_len = svg ? fread(svg, 1, CON_SVG_MAX, f) : 0;
        if (svg)
            svg[*svg_len] = '\0';
        else
            snprintf(errstr, errstr_size, "reading the picture: %.400s",
                     f ? "out of memory" : path);
        if (f)
            fclose(f);
    }
    unlink(path);
    return svg;
}

void con_graph_card(FILE *out, const char *title, const char *id, const char *dot, size_t dot_len,
                    const char *why_none, const char *note)
{
    char errstr[512];
    size_t svg_len = 0;
    snprintf(errstr, sizeof(errstr), "%s", why_none);
    char *svg = dot ? dot_to_svg(dot, dot_len, &svg_len, errstr, sizeof(errstr)) : NULL;
    fprintf(out, "<div class=\"card\"><h2>%s</h2>", title);
    if (svg) {
        fprintf(out, "<div class=\"graph\" id=\"%s\">", id);
        inline_svg(out, svg, svg_len);
        fprintf(out, "</div><p class=\"note\">%s</p>", note);
    } else {
        fputs("<p class=\"note\">No picture: ", out);
        html_text(out, errstr, 300);
        fputs("</p>", out);
    }
    fputs("</div>\n", out);
    free(svg);
}
