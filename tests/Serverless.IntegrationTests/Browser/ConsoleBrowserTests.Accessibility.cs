using static Microsoft.Playwright.Assertions;

namespace Serverless.IntegrationTests.Browser;

/// <summary>
/// Labels and keyboard on every page: each form field has a label, each button, link, progress bar and frame an accessible
/// name, each table header a scope, no element a positive tabindex; and Tab, from the top, first reaches the skip link, then
/// walks every link, button and field of the header and the page in order.
/// </summary>
public sealed partial class ConsoleBrowserTests
{
    /// <summary>What the page's DOM lacks, one line per element (empty when nothing does).</summary>
    private const string UnlabelledScript = """
        () => {
          const name = e => (e.getAttribute('aria-label') || '').trim() || (e.getAttribute('aria-labelledby') || '').split(/\s+/)
            .map(id => document.getElementById(id)).filter(x => x).map(x => x.textContent.trim()).join(' ') || (e.getAttribute('title') || '').trim();
          const problems = [];
          const describe = e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} "${(e.textContent || '').trim().slice(0, 40)}"`;
          for (const e of document.querySelectorAll('input, select, textarea')) {
            if (e.type === 'hidden') continue;
            if (!(e.labels && e.labels.length && [...e.labels].some(l => l.textContent.trim())) && !name(e)) problems.push(`field without a label: ${describe(e)}`);
          }
          for (const e of document.querySelectorAll('button, a[href], summary')) {
            if (!e.textContent.trim() && !name(e)) problems.push(`control without a name: ${describe(e)}`);
          }
          for (const e of document.querySelectorAll('progress, iframe, [role=img]')) {
            if (!name(e)) problems.push(`${e.tagName.toLowerCase()} without a name: ${describe(e)}`);
          }
          for (const e of document.querySelectorAll('th')) {
            if (!e.getAttribute('scope')) problems.push(`header without a scope: ${describe(e)}`);
          }
          for (const e of document.querySelectorAll('[tabindex]')) {
            if (Number(e.getAttribute('tabindex')) > 0) problems.push(`positive tabindex: ${describe(e)}`);
          }
          if (!document.querySelector('main h1')) problems.push('no h1 in main');
          return problems;
        }
        """;

    /// <summary>The links, buttons and fields a keyboard user reaches with Tab, in document order (visible ones only).</summary>
    private const string FocusablesScript = """
        () => [...document.querySelectorAll('a[href], button, input, select, textarea, summary')]
          .filter(e => !e.disabled && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')
          .map((e, i) => { e.dataset.tabOrder = String(i); return i; }).length
        """;

    [Fact]
    public async Task EveryPage_EveryFieldHasALabelEveryControlAName_AndTabReachesEachInOrder()
    {
        await RegisterModelAsync("keyboard-model");
        foreach (var hash in new[] { "#/models", "#/models/keyboard-model", "#/sweeps", "#/workflows", "#/monitoring", "#/monitoring/keyboard-model" })
        {
            var page = await _fixture.OpenAsync(hash);
            await Expect(page.Locator("main[aria-busy='false'] h1")).ToBeVisibleAsync();
            await page.ReloadAsync(); // Nothing focused: Tab starts at the top (the key stays in the tab's session storage).
            await Expect(page.Locator("main[aria-busy='false'] h1")).ToBeVisibleAsync();

            var problems = await page.EvaluateAsync<string[]>(UnlabelledScript);
            Assert.True(problems.Length == 0, $"{hash}: {string.Join("; ", problems)}");

            var focusables = await page.EvaluateAsync<int>(FocusablesScript);
            await page.Keyboard.PressAsync("Tab");
            Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent.trim()"));
            var reached = new List<int> { 0 };
            for (var i = 1; i < focusables; i++)
            {
                await page.Keyboard.PressAsync("Tab");
                reached.Add(await page.EvaluateAsync<int>("() => Number(document.activeElement.dataset.tabOrder ?? -1)"));
            }

            Assert.True(Enumerable.Range(0, focusables).SequenceEqual(reached), $"{hash}: Tab reached {string.Join(",", reached)} of {focusables}");
            await page.Context.CloseAsync();
        }
    }
}
