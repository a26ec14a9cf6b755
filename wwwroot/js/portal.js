// A focus the server asks for (ElementReference.FocusAsync) arrives a round trip after whatever asked for it. MudBlazor's
// text field asks for one whenever its frame is clicked, to put the caret in its input; over a slow link that call
// landed after the user had clicked into the next field and took the rest of their keys (issue 14). The browser knows
// better where the user is: a focus asked for while the user is in another text field is dropped.
(() => {
    const dom = window.Blazor?._internal?.domWrapper;
    if (!dom || typeof dom.focus !== "function") return;
    const focus = dom.focus;
    const notText = new Set(["button", "checkbox", "color", "file", "hidden", "image", "radio", "range", "reset", "submit"]);
    const typing = el => el instanceof HTMLTextAreaElement || (el instanceof HTMLInputElement && !notText.has(el.type)) || el?.isContentEditable === true;
    dom.focus = function (element, preventScroll) {
        const active = document.activeElement;
        if (active !== element && typing(active) && !(element instanceof Element && element.closest(".mud-input-control")?.contains(active))) return;
        return focus.call(this, element, preventScroll);
    };
})();
