// The book theme's menu button on narrow screens. pydata-sphinx-theme (0.17 and later) opens the menu only from the
// first `.primary-toggle` on a page, which the book theme hides (pydata-sphinx-theme#2451): pass the click on to it.
document.addEventListener('click', event => {
  const button = event.target.closest('.bd-header-article .primary-toggle'), first = document.querySelector('.primary-toggle');
  if (!button || button === first || window.matchMedia('(min-width: 992px)').matches) return;
  event.preventDefault(); first.click();
});
