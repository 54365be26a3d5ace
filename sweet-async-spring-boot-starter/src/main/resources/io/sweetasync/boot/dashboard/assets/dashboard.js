// Sweet Async dashboard: polls the asynctasks and asynclimits Actuator endpoints once a second and draws
// the live trees, the groups' limits over the last minutes, recent and failed tasks, and one task's detail;
// in a cluster also each member's load and live trees, with work placed on another member shown under the
// task that placed it (the endpoint's stitched `cluster` forest).
// Plain JavaScript, no build. With many live tasks the endpoint is asked for at most LIMIT roots and
// LIMIT children per node, and only for the levels the page shows (the roots' children, and the children of
// the nodes the user opened); the rest are summed up in a "more" row, so the page stays small however
// bushy the trees are.
'use strict';

(() => {
    const LIMIT = 50;
    const MAX_EXPANDED = 200;        // opened nodes sent with a poll (the newest ones)
    const PERIOD_MS = 1000;
    const TIMEOUT_MS = 10000;        // an answer slower than this is given up on: the page says so, polls again
    const HISTORY_MS = 5 * 60 * 1000;
    const GAP_MS = 5000;             // samples further apart than this are a gap in the chart, not a line
    const RESEED_MS = 5000;          // at most one ask for the samples of groups that came (back) into the list
    const SKEW_MS = 2000;            // a browser clock further off the server's than this is corrected
    const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT']);
    const config = document.body.dataset;
    const canCancel = config.cancel === 'true';
    const expanded = new Set();      // non-root nodes the user opened
    const collapsed = new Set();     // roots the user closed (roots start open)
    const history = new Map();       // group -> [{t, limit, inFlight, queued}]
    const rows = new Map();          // id -> <tr> of the live tree, reused between polls
    let selected = null;
    let lastTasks = null;
    let seeded = false;
    let unseeded = false;            // a group came into the list after the last samples asked for
    let lastSeed = -Infinity;        // performance.now() of the last poll that asked for the samples
    let lastAnswer = 0;              // performance.now() of the last complete answer
    let skew = 0;                    // the server's clock minus the browser's, when over SKEW_MS
    let asked = new Set();           // opened nodes whose children the last answer holds
    const cancelling = new Set();    // ids whose cancel request is under way
    let polling = false;             // a poll is under way
    let pollAgain = false;           // and another was asked for meanwhile
    let timer = null;
    const stats = { polls: 0, lastPollMs: 0, lastRenderMs: 0, lastBytes: 0, treeRows: 0 };
    window.sweetAsyncDashboard = stats;

    const $ = (id) => document.getElementById(id);
    const el = (tag, attrs = {}, ...children) => {
        const node = document.createElement(tag);
        for (const [key, value] of Object.entries(attrs)) {
            if (key === 'class') node.className = value; else node.setAttribute(key, value);
        }
        for (const child of children) node.append(child);
        return node;
    };

    $('access').textContent = canCancel ? 'cancel allowed' : 'read-only';
    $('access').className = canCancel ? 'badge writable' : 'badge';

    // A server that stops answering must not leave the page waiting for ever, showing what it last read as live.
    async function request(url, options) {
        const abort = new AbortController();
        const timeout = setTimeout(() => abort.abort(), TIMEOUT_MS);
        try {
            const response = await fetch(url, { ...options, signal: abort.signal });
            return { response, text: await response.text() };
        } catch (error) {
            throw abort.signal.aborted ? new Error(url + ' did not answer within ' + TIMEOUT_MS / 1000 + ' s') : error;
        } finally {
            clearTimeout(timeout);
        }
    }

    async function getJson(url) {
        const { response, text } = await request(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
        if (!response.ok) {
            const error = new Error(url + ' answered ' + response.status);
            error.status = response.status;
            error.url = url;
            throw error;
        }
        // a sign-in page (an expired session redirected to it) or a proxy's page is not an answer
        const type = response.headers.get('Content-Type') || '';
        if (text && !type.includes('json')) {
            throw new Error(url + ' answered ' + (type.split(';')[0] || 'no content type')
                + ', not JSON (a sign-in or proxy page?)');
        }
        const served = Date.parse(response.headers.get('Date'));
        if (served) skew = Math.abs(served - Date.now()) > SKEW_MS ? served - Date.now() : 0;
        stats.lastBytes += text.length;
        return text ? JSON.parse(text) : null;
    }

    // Now on the server's clock (to within a second): ages and the chart's samples are the server's
    // instants, and a browser whose clock is minutes off would show them minutes off.
    function serverNow() {
        return Date.now() + skew;
    }

    // The live trees as the page shows them: roots with their children, below them only opened nodes' children.
    function treesUrl(open) {
        return config.tasks + '?limit=' + LIMIT + '&depth=1'
            + (open.length ? '&expand=' + encodeURIComponent(open.join(',')) : '');
    }

    // Polls now (e.g. a node was opened, its children are needed), or right after the poll under way.
    function pollSoon() {
        if (polling) { pollAgain = true; return; }
        clearTimeout(timer);
        poll();
    }

    async function poll() {
        polling = true;
        const began = performance.now();
        stats.lastBytes = 0;
        // after a gap (the server down or restarted, the tab hidden, answers failing) the chart takes the
        // server's samples of the gap again rather than drawing a line across it
        // and after a group came into the list (it became saturated, or others left the first LIMIT): its chart
        // starts from the server's samples, not empty; asked at most every RESEED_MS when the list churns
        const reseed = !seeded || began - lastAnswer > GAP_MS || (unseeded && began - lastSeed >= RESEED_MS);
        if (reseed) lastSeed = began;
        const open = [...expanded].slice(-MAX_EXPANDED);
        const asking = selected;
        try {
            const [tasks, limits, detail] = await Promise.all([
                getJson(treesUrl(open)),
                // groups this user may not read (a security rule of that endpoint's) are left out, not the trees
                // at most LIMIT groups (the saturated first): a group per tenant makes thousands
                config.limits ? getJson(config.limits + '?limit=' + LIMIT + (reseed ? '&history=true' : ''))
                    .catch((error) => error.status === 401 || error.status === 403
                        ? { groups: {}, refused: error } : Promise.reject(error)) : Promise.resolve({ groups: {} }),
                asking ? getJson(config.tasks + '/' + encodeURIComponent(asking) + '?limit=0')
                    .catch((error) => error.status === 404 ? null : Promise.reject(error)) : Promise.resolve(null),
            ]);
            const rendering = performance.now();
            asked = new Set(open);
            lastAnswer = rendering;
            try {
                if (reseed && !limits.refused) { seed(limits.history); unseeded = false; }
                render(tasks, limits, detail, asking === selected);
            } catch (error) {
                // the answers came; this page failed to show them: not the endpoints' fault, so not said to be
                console.error(error);
                error.drawing = true;
                throw error;
            }
            stats.lastRenderMs = performance.now() - rendering;
            $('error').hidden = true;
            document.body.classList.remove('stale');
        } catch (error) {
            $('error').hidden = false;
            $('error').textContent = (error.drawing
                ? 'The endpoints answered, but this page failed to show their answer (a bug of the dashboard: '
                    + error.message + '; the browser console has the details).'
                : error.status === 401 || error.status === 403
                ? 'You may not read ' + error.url + ' (' + error.status + '): the dashboard shows what that endpoint lets you read.'
                : 'Cannot read the endpoints: ' + error.message + '.')
                + (lastTasks ? ' What is shown is as of ' + $('updated').textContent.replace('updated ', '') + '.' : '');
            document.body.classList.add('stale');
        }
        stats.polls++;
        stats.lastPollMs = performance.now() - began;
        polling = false;
        if (pollAgain) {
            pollAgain = false;
            poll();
        } else {
            timer = setTimeout(poll, Math.max(0, PERIOD_MS - stats.lastPollMs));
        }
    }

    // `detail` is left out when the user chose another task while it was asked for (the next poll brings it).
    function render(tasks, limits, detail, detailCurrent) {
        $('summary').textContent = `${tasks.liveTasks} live tasks in ${tasks.liveRoots} trees`
            + (tasks.runaways ? ` · ${tasks.runaways} runaway` : '');
        $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
        renderTree(tasks);
        renderGroups(limits.groups, limits.refused, limits.groupCount);
        renderMembers(tasks.members, limits.members, tasks.cluster, tasks.clusterRoots);
        renderFinished($('recent'), tasks.recent);
        renderFinished($('failed'), tasks.failed);
        if (detailCurrent) renderDetail(detail);
    }

    // ---- live tree: rows flattened with an explicit stack, reused by id --------------------------------

    function renderTree(tasks) {
        lastTasks = tasks;
        const body = $('tree').tBodies[0];
        const seen = new Set();
        const placed = [];
        const place = (row) => { seen.add(row.dataset.key); placed.push(row); };
        const stack = [];
        for (let i = tasks.live.length - 1; i >= 0; i--) stack.push({ node: tasks.live[i], depth: 0 });
        while (stack.length) {
            const entry = stack.pop();
            if (entry.more) { place(moreRow(entry.node)); continue; }
            const { node, depth } = entry;
            place(taskRow(node, depth));
            if (!isOpen(node, depth)) continue;
            if (node.childCount > node.children.length) stack.push({ more: true, node });
            for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i], depth: depth + 1 });
        }
        if (tasks.liveRoots > tasks.live.length) place(rootsMoreRow(tasks.liveRoots - tasks.live.length));
        for (const [key, row] of rows) {
            if (!seen.has(key)) { row.remove(); rows.delete(key); }
        }
        arrange(body, placed);
        stats.treeRows = body.rows.length;
        $('no-live').hidden = tasks.live.length > 0;
    }

    // Puts `nodes` into `parent` in this order, moving only those out of place: a node taken out of the
    // document loses the keyboard focus and any text selected in it, so a refresh that changes nothing
    // must move nothing. Children of `parent` not among `nodes` are removed.
    function arrange(parent, nodes) {
        const wanted = new Set(nodes);
        for (const child of [...parent.children]) if (!wanted.has(child)) child.remove();
        let cursor = parent.firstElementChild;
        for (const node of nodes) {
            if (node === cursor) cursor = cursor.nextElementSibling;
            else parent.insertBefore(node, cursor);
        }
    }

    // `fresh` (elements with a data-key) into `parent`, keeping each present element that equals its fresh
    // one: the rows and fields a refresh does not change stay the same elements (focus, selection kept).
    function patch(parent, fresh) {
        const present = new Map([...parent.children].map((child) => [child.dataset.key, child]));
        arrange(parent, fresh.map((node) => {
            const old = present.get(node.dataset.key);
            return old && old.isEqualNode(node) ? old : node;
        }));
    }

    // `parent`'s children become `nodes`, unless it already holds equal ones.
    function replaceIfChanged(parent, ...nodes) {
        const fresh = parent.cloneNode(false);
        fresh.append(...nodes);
        if (!fresh.isEqualNode(parent)) parent.replaceChildren(...fresh.childNodes);
    }

    function isOpen(node, depth) {
        return depth === 0 ? !collapsed.has(node.id) : expanded.has(node.id);
    }

    function reuse(key, cells) {
        let row = rows.get(key);
        if (!row) {
            row = el('tr');
            row.dataset.key = key;
            for (let i = 0; i < cells; i++) row.append(el('td'));
            rows.set(key, row);
        }
        return row;
    }

    // A task's row is built once and then only its texts and flags change, so a click lands on the
    // same elements however often the page refreshes.
    function taskRow(node, depth) {
        let row = rows.get(node.id);
        if (!row) {
            row = el('tr', {},
                el('td', {}, el('button', { class: 'toggle', type: 'button' }),
                    el('span', { class: 'name', tabindex: '0', role: 'button', title: 'show the detail' }),
                    el('span', { class: 'id' }), el('span', { class: 'badge runaway', hidden: '',
                        title: 'ended, but its body ignores its interrupt and still runs' }, 'runaway'),
                    el('span', { class: 'children' })),
                el('td', {}, el('span', { class: 'status' })), el('td'), el('td'), el('td', { class: 'progress' }),
                el('td', {}, el('button', { class: 'cancel', type: 'button', 'data-id': node.id, hidden: '' }, 'Cancel')));
            row.dataset.key = node.id;
            row.dataset.id = node.id;
            if (node.parentId) row.dataset.parent = node.parentId;
            rows.set(node.id, row);
        }
        row.dataset.status = node.status;
        row.dataset.depth = depth;
        row.className = 'task' + (node.runaway ? ' runaway' : '') + (node.id === selected ? ' selected' : '');
        const [name, status, age, attempts, progress, actions] = row.cells;
        name.style.paddingLeft = (0.4 + depth * 1.2) + 'em';
        const toggle = name.querySelector('.toggle');
        const open = isOpen(node, depth);
        toggle.style.visibility = node.childCount > 0 ? 'visible' : 'hidden';
        setText(toggle, open ? '▾' : '▸');
        setAttribute(toggle, 'aria-expanded', String(open));
        setAttribute(toggle, 'aria-label', `children of ${node.name} #${node.id}`);
        setText(name.querySelector('.name'), node.name);
        setText(name.querySelector('.id'), '#' + node.id);
        name.querySelector('.runaway').hidden = !node.runaway;
        setText(name.querySelector('.children'), node.childCount ? childSummary(node) : '');
        const badge = status.firstChild;
        badge.className = 'status ' + node.status;
        setText(badge, node.status);
        setText(age, duration(serverNow() - Date.parse(node.createdAt)));
        setText(attempts, String(node.attempts));
        setText(progress, progressText(node.progress, node.progressCount));
        const button = actions.firstChild;
        button.hidden = !(canCancel && !TERMINAL.has(node.status));
        button.disabled = cancelling.has(node.id);
        setAttribute(button, 'aria-label', `Cancel ${node.name} #${node.id}`);
        return row;
    }

    function setText(node, text) {
        if (node.textContent !== text) node.textContent = text;
    }

    function setAttribute(node, name, value) {
        if (node.getAttribute(name) !== value) node.setAttribute(name, value);
    }

    function moreRow(node) {
        const row = reuse('more:' + node.id, 1);
        row.className = 'more';
        row.cells[0].colSpan = 6;
        const hidden = node.childCount - node.children.length;
        // opened a moment ago: its children come with the next answer, they are not left out
        row.cells[0].textContent = expanded.has(node.id) && !asked.has(node.id) ? `loading the children of #${node.id}…`
            : `… ${hidden.toLocaleString()} more children of #${node.id} not listed`
                + ` (all ${node.childCount.toLocaleString()}: ${statusCounts(node.childStatuses)})`;
        return row;
    }

    function rootsMoreRow(count) {
        const row = reuse('more:roots', 1);
        row.className = 'more';
        row.cells[0].colSpan = 6;
        row.cells[0].textContent = `… ${count.toLocaleString()} more live trees not listed (the oldest ${LIMIT} are shown)`;
        return row;
    }

    function childSummary(node) {
        return `${node.childCount} children: ${statusCounts(node.childStatuses)}`;
    }

    function statusCounts(counts) {
        return Object.entries(counts || {}).map(([status, n]) => `${status} ${n.toLocaleString()}`).join(' · ');
    }

    // A listed task carries its first progress values; `count` says how many it publishes.
    function progressText(progress, count) {
        const entries = Object.entries(progress || {});
        return entries.map(([key, value]) => `${key} ${value.toLocaleString()}`).join(' · ')
            + (count > entries.length ? ` … (${count.toLocaleString()} in all)` : '');
    }

    $('tree').addEventListener('click', (event) => {
        const row = event.target.closest('tr.task');
        if (!row) return;
        const id = row.dataset.id;
        if (event.target.closest('button.cancel')) {
            cancel(id);
        } else if (event.target.closest('button.toggle')) {
            const set = row.dataset.depth === '0' ? collapsed : expanded;
            if (set.has(id)) set.delete(id); else set.add(id);
            refreshSoon();
            if (set === expanded && set.has(id)) pollSoon();
        } else {
            select(id);
        }
    });

    function select(id) {
        selected = id;
        refreshSoon();
        pollSoon();
    }

    // A task's name is a button for the keyboard too: Enter or Space shows its detail.
    document.addEventListener('keydown', (event) => {
        const name = event.target.closest && event.target.closest('.name[role=button]');
        if (!name || (event.key !== 'Enter' && event.key !== ' ')) return;
        const row = name.closest('tr.task');
        if (!row) return;
        event.preventDefault();
        select(row.dataset.id);
    });

    // ---- cancel ---------------------------------------------------------------------------------------

    // What the click did, in words: sent and accepted, too late, refused, or never answered (the task may still run).
    // One request at a time per task: a double click must not have its second answer (404, the task has
    // finished: cancelled by the first) replace what the first one did.
    async function cancel(id) {
        if (cancelling.has(id)) return;
        cancelling.add(id);
        refreshSoon();
        let message, ok = false;
        try {
            const { response, text } = await request(config.tasks + '/' + encodeURIComponent(id), { method: 'DELETE' });
            ok = response.ok;
            message = response.ok ? tooLate(id, text) || `cancel requested for ${id}`
                : response.status === 404 ? `${id} has already finished`
                : [401, 403, 405].includes(response.status)
                    ? `cancel of ${id} refused (${response.status}): the asynctasks endpoint is read-only for you`
                : `cancel of ${id} failed: the server answered ${response.status}; the task may still be running`;
        } catch (error) {
            message = `cancel of ${id} failed: ${error.message}; the task may still be running`;
        } finally {
            cancelling.delete(id);
        }
        notice(message, ok);
        refreshSoon();
    }

    // The endpoint's answer says whether the task ends cancelled, by this request or an earlier one; when not, the
    // task's status then: terminal when it finished first, live when it was already ending otherwise (its body had
    // returned, its deadline passed, it was being rejected). Null when the cancel took.
    function tooLate(id, text) {
        let answer;
        try {
            answer = JSON.parse(text);
        } catch (error) {
            return null;
        }
        if (answer.cancelled !== false) return null;
        return TERMINAL.has(answer.status) ? `${id} has already finished (${answer.status})`
            : `${id} is already ending, too late to cancel (it returned, timed out or was rejected)`;
    }

    function notice(message, ok) {
        $('notice').hidden = false;
        $('notice').className = ok ? 'ok' : 'refused';
        $('notice').textContent = message;
    }

    // Re-draws the tree at once from the last answer (the next poll brings the selected task's detail).
    function refreshSoon() {
        if (lastTasks) renderTree(lastTasks);
        $('detail-cancel').disabled = cancelling.has(selected);
    }

    // ---- groups: limit, in flight and queued over the last minutes -------------------------------------

    // The first answer, the first after a gap and one after a group came into the list carry the listed
    // groups' samples of the last five minutes (when the server keeps them): they replace what the page has
    // for that time; what it sampled before them (before a restart of the server) stays.
    function seed(serverHistory) {
        for (const [group, samples] of Object.entries(serverHistory || {})) {
            if (!samples.length) continue;
            const first = samples[0].epochMillis;
            history.set(group, (history.get(group) || []).filter((s) => s.t < first).concat(samples.map((s) =>
                ({ t: s.epochMillis, limit: s.limit, inFlight: s.inFlight, queued: s.queued }))));
        }
        seeded = true;
    }

    function renderGroups(groups, refused, groupCount) {
        const now = serverNow();
        const names = Object.keys(groups || {});
        $('no-groups').hidden = names.length > 0;
        const unlisted = (groupCount || 0) - names.length;
        $('more-groups').hidden = !(unlisted > 0);
        setText($('more-groups'), unlisted > 0 ? `… ${unlisted.toLocaleString()} more groups not shown`
            + ` (the saturated ones come first, then by name; ${groupCount.toLocaleString()} in all)` : '');
        setText($('no-groups'), refused ? `Not shown: you may not read ${refused.url} (${refused.status}).`
            : 'No concurrency groups.');
        for (const card of [...$('charts').children]) {     // a group the server no longer has
            if (!Object.hasOwn(groups || {}, card.dataset.group)) { card.remove(); history.delete(card.dataset.group); }
        }
        for (const name of names) {
            const g = groups[name];
            const samples = history.get(name) || [];
            samples.push({ t: now, limit: g.limit, inFlight: g.inFlight, queued: g.queued });
            // the window by time, and by count too: a clock set back leaves samples "from the future"
            while (samples.length && (samples[0].t < now - HISTORY_MS || samples.length > 2 * HISTORY_MS / PERIOD_MS)) {
                samples.shift();
            }
            history.set(name, samples);
            let card = document.querySelector(`.group[data-group="${CSS.escape(name)}"]`);
            if (!card) {
                if (seeded && samples.length === 1) unseeded = true;
                card = el('div', { class: 'group', 'data-group': name },
                    el('h3', {}, name), el('canvas', { width: 360, height: 120, role: 'img',
                        'aria-label': `${name}: limit, in flight and queued over the last minutes (now in the legend below)` }),
                    el('p', { class: 'legend' }));
                $('charts').append(card);
            }
            card.dataset.limit = g.limit;
            card.dataset.inflight = g.inFlight;
            card.dataset.queued = g.queued;
            card.dataset.samples = samples.length;
            card.querySelector('.legend').replaceChildren(
                el('span', { class: 'limit' }, `limit ${g.limit}`), ' · ',
                el('span', { class: 'inflight' }, `in flight ${g.inFlight}`), ' · ',
                el('span', { class: 'queued' }, `queued ${g.queued}`), ' · ',
                `${String(g.algorithm || '').toLowerCase()} ${String(g.phase || '').toLowerCase()}, rejected ${g.rejected}`
                + (g.saturated ? ' · saturated' : ''));
            draw(card.querySelector('canvas'), samples, now);
        }
    }

    // The x axis spans from the oldest sample kept to now: at least a minute, at most HISTORY_MS.
    function draw(canvas, samples, now) {
        const ctx = canvas.getContext('2d');
        const w = canvas.width, h = canvas.height, pad = 4;
        ctx.clearRect(0, 0, w, h);
        const span = Math.min(HISTORY_MS, Math.max(60000, samples.length ? now - samples[0].t : 0));
        const top = Math.max(1, ...samples.map((s) => Math.max(s.limit, s.inFlight, s.queued)));
        ctx.fillStyle = '#57606a';
        ctx.font = '10px sans-serif';
        ctx.fillText(String(top), pad, 10);
        ctx.fillText(`last ${Math.round(span / 1000)} s`, pad, h - pad);     // below the lines: they end 14 px up
        const series = [['limit', '#1f6feb'], ['inFlight', '#1a7f37'], ['queued', '#d1242f']];
        for (const [key, colour] of series) {
            ctx.strokeStyle = colour;
            ctx.lineWidth = 1.5;
            ctx.beginPath();
            samples.forEach((s, i) => {
                const x = pad + (w - 2 * pad) * (1 - (now - s.t) / span);
                const y = h - pad - 14 - (h - 2 * pad - 26) * (s[key] / top);
                // a gap (nothing sampled: the server was down) is left blank, not bridged by a line
                if (i === 0 || s.t - samples[i - 1].t > GAP_MS) ctx.moveTo(x, y); else ctx.lineTo(x, y);
            });
            ctx.stroke();
        }
    }

    // ---- members: each member's groups and live trees; placed work under the task that placed it -------

    function renderMembers(members, groupsByMember, forest, clusterRoots) {
        $('members').hidden = !members;
        if (!members) return;
        const loads = [];
        for (const member of members) {
            const groups = isolated(Object.entries((groupsByMember || {})[member.member] || {}).map(([name, g]) =>
                `${name} ${g.inFlight}/${g.limit}` + (g.queued ? ` +${g.queued} queued` : '')
                + (g.clusterLimit ? ` (share of ${g.clusterLimit} over ${g.members})` : '')), ' · ');
            loads.push(el('tr', { class: 'member', 'data-member': member.member, 'data-key': member.member },
                el('td', {}, member.member, ...(member.local ? [' ', el('span', { class: 'badge' }, 'this member')] : [])),
                el('td', { class: 'trees' }, String(member.liveRoots)),
                el('td', { class: 'member-groups' }, ...groups)));
        }
        patch($('member-loads').tBodies[0], loads);

        // the cluster's live trees as the endpoint stitched them: a placed task is a child of the task that
        // placed it, after that task's own children, labelled with the member it runs on
        const body = [];
        const stack = [];
        const roots = forest || [];
        for (let i = roots.length - 1; i >= 0; i--) stack.push({ node: roots[i], depth: 0 });
        while (stack.length) {
            const { node, depth } = stack.pop();
            const task = node.task;
            const from = (task.tags || {})['placed-from'];
            const placed = node.children.find((child) => child.member !== node.member);
            const note = placed ? `runs on ${placed.member} as #${placed.task.id}`
                : from ? `placed from ${from.replace('/', ' by #')}` : '';
            const row = el('tr', { class: 'task', 'data-id': task.id, 'data-member': node.member, 'data-key': task.id },
                el('td', { style: `padding-left: ${0.4 + depth * 1.2}em` }, nameButton(task.name),
                    el('span', { class: 'id' }, '#' + task.id)),
                el('td', { class: 'member' }, node.member),
                el('td', {}, el('span', { class: 'status ' + task.status }, task.status)),
                el('td', { class: 'placement' }, note));
            if (task.id === selected) row.classList.add('selected');
            body.push(row);
            for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i], depth: depth + 1 });
        }
        if (clusterRoots > roots.length) {
            body.push(el('tr', { class: 'more', 'data-key': 'more:cluster' }, el('td', { colspan: '4' },
                `… ${(clusterRoots - roots.length).toLocaleString()} more trees not listed`
                + ` (the first ${LIMIT} are shown)`)));
        }
        patch($('member-trees').tBodies[0], body);
    }

    $('member-trees').addEventListener('click', (event) => {
        const row = event.target.closest('tr.task');
        if (row) select(row.dataset.id);
    });

    // A task's name that shows its detail when clicked, or on Enter or Space.
    function nameButton(name) {
        return el('span', { class: 'name', tabindex: '0', role: 'button', title: 'show the detail' }, name);
    }

    // ---- recent and failed ------------------------------------------------------------------------------

    function renderFinished(table, tasks) {
        const body = [];
        for (const task of tasks) {
            const ended = task.completedAt ? new Date(task.completedAt).toLocaleTimeString() : '';
            const took = task.completedAt ? duration(Date.parse(task.completedAt) - Date.parse(task.createdAt)) : '';
            const row = el('tr', { class: 'task' + (task.id === selected ? ' selected' : ''), 'data-id': task.id, 'data-key': task.id },
                el('td', {}, nameButton(task.name), el('span', { class: 'id' }, '#' + task.id),
                    ...(task.runaway ? [el('span', { class: 'badge runaway', title: 'ended, but its body ignores its interrupt and still runs' }, 'runaway')] : [])),
                el('td', {}, el('span', { class: 'status ' + task.status }, task.status)),
                el('td', {}, ended), el('td', {}, took),
                el('td', { class: 'failure' }, task.failure ? `${task.failure.type}: ${task.failure.message}` : ''));
            body.push(row);
        }
        patch(table.tBodies[0], body);
    }

    for (const table of [$('recent'), $('failed')]) {
        table.addEventListener('click', (event) => {
            const row = event.target.closest('tr.task');
            if (row) select(row.dataset.id);
        });
    }

    // ---- one task's detail ------------------------------------------------------------------------------

    function renderDetail(task) {
        $('detail').hidden = !selected;
        if (!selected) return;
        // names in spans of their own (.name isolates them): a right-to-left override in one cannot reorder the id
        replaceIfChanged($('detail-title'), ...(task ? [el('span', { class: 'name' }, task.name), '#' + task.id]
            : [`#${selected} (no longer known)`]));
        // fields and resources change in place, only where they changed: a failure's message being
        // selected to copy stays selected through the refreshes
        const fields = [];
        const resources = [];
        $('detail-cancel').hidden = !(task && canCancel && !TERMINAL.has(task.status));
        $('detail-cancel').disabled = cancelling.has(selected);
        const add = (label, value) => {
            if (value === null || value === undefined || value === '' || value.length === 0) return;
            fields.push(el('dt', { 'data-key': 'dt ' + label }, label), el('dd', { 'data-field': label, 'data-key': label },
                ...(Array.isArray(value) ? value : [String(value)])));
        };
        if (task) describe(task, add, resources);
        patch($('detail-fields'), fields);
        patch($('detail-resources').tBodies[0], resources);
    }

    function describe(task, add, resources) {
        // each name of the path (name#id/name#id) isolated: names hold neither '/' nor '#'
        add('path', task.path.split('/').flatMap((step, i) => {
            const hash = step.lastIndexOf('#');
            const parts = hash < 0 ? [step] : [el('bdi', {}, step.slice(0, hash)), step.slice(hash)];
            return i ? ['/', ...parts] : parts;
        }));
        add('status', task.status + (task.runaway ? ' (runaway: its body still runs)' : ''));
        add('priority', task.priority);
        add('group', task.group);
        add('runtime', task.runtime);
        add('created', task.createdAt);
        add('started', task.startedAt);
        add('completed', task.completedAt);
        add('queued for', duration(task.queueWaitMs));
        add('ran for', duration(task.runTimeMs));
        add('attempts', task.attempts);
        add('failure', task.failure ? `${task.failure.type}: ${task.failure.message}` : null);
        add('progress', progressText(task.progress, task.progressCount));
        add('children', task.childCount ? childSummary(task) : null);
        // the endpoint lists the first ones of a fan-in of thousands, and counts them all
        add('waits for', task.dependencies.join(', ') + (task.dependencyCount > task.dependencies.length
            ? ` … (${task.dependencyCount.toLocaleString()} in all)` : ''));
        const tags = Object.entries(task.tags || {});
        add('tags', [...isolated(tags.map(([k, v]) => `${k}=${v}`), ', '),
            ...(task.tagCount > tags.length ? [` … (${task.tagCount.toLocaleString()} in all)`] : [])]);
        for (const [figure, value] of Object.entries(task.resources || {})) {
            resources.push(el('tr', { 'data-key': figure }, el('td', {}, figure),
                el('td', {}, value.amount < 0 ? '—' : value.amount.toLocaleString()), el('td', {}, value.source)));
        }
    }

    // Users' texts, each in a <bdi> of its own, between separators: a right-to-left override in one of them
    // (U+202E) cannot reorder the others.
    function isolated(texts, separator) {
        return texts.flatMap((text, i) => i ? [separator, el('bdi', {}, text)] : [el('bdi', {}, text)]);
    }

    $('detail-cancel').addEventListener('click', () => selected && cancel(selected));
    $('detail-close').addEventListener('click', () => { selected = null; $('detail').hidden = true; refreshSoon(); });

    // a hidden tab's timers are slowed (to once a minute after a while): shown again, it reads at once
    document.addEventListener('visibilitychange', () => { if (!document.hidden) pollSoon(); });

    // Rounded to the unit shown first, then split: 59.96 s is "1 min 0 s", never "60.0 s" or "1 min 60 s".
    function duration(ms) {
        if (!(ms >= 0)) return '';
        if (ms < 999.5) return Math.round(ms) + ' ms';
        if (ms < 59950) return (ms / 1000).toFixed(1) + ' s';
        const seconds = Math.round(ms / 1000);
        if (seconds < 3600) return Math.floor(seconds / 60) + ' min ' + seconds % 60 + ' s';
        const minutes = Math.round(ms / 60000);
        return Math.floor(minutes / 60) + ' h ' + minutes % 60 + ' min';
    }

    poll();
})();
