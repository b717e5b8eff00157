/* ww-check-page.c: "Check my request"
 *
 * The visitor types the reference code and PIN of a request they made
 * (here or on another screen), and the page asks the relay how it is
 * doing and says so in plain words.
 *
 * Nothing of it outlives the visit: the entries keep no undo history,
 * the PIN is typed into a password entry (whose buffer is wiped when it
 * is emptied) and is emptied as soon as the answer is shown, and
 * leaving the page empties everything. Nothing is written to disk.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-check-page"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "ww-check-page.h"
#include "ww-gui-util.h"

struct _WwCheckPage
{
  GtkWidget          parent_instance;

  WwRelayClient     *client;
  GCancellable      *cancellable;
  gboolean           busy;

  GtkScrolledWindow *scroller;
  GtkStack          *steps;

  /* form */
  GtkEntry          *reference_entry;
  GtkPasswordEntry  *pin_entry;
  GtkLabel          *form_error;
  GtkButton         *check_button;
  GtkSpinner        *spinner;

  /* answer */
  GtkImage          *answer_icon;
  GtkLabel          *answer_title;
  GtkLabel          *answer_time;
  GtkLabel          *answer_body;
  GtkWidget         *reason_box;
  GtkLabel          *answer_reason;
  GtkLabel          *answer_next;
  GtkLabel          *answer_reference;
  GtkButton         *again_button;
  GtkButton         *done_button;
};

G_DEFINE_FINAL_TYPE (WwCheckPage, ww_check_page, GTK_TYPE_WIDGET)

enum {
  SIGNAL_DONE,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static void
set_busy (WwCheckPage *self,
          gboolean     busy)
{
  self->busy = busy;
  gtk_widget_set_sensitive (GTK_WIDGET (self->check_button), !busy && self->client != NULL);
  gtk_editable_set_editable (GTK_EDITABLE (self->reference_entry), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->pin_entry), !busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
}

/* A look-up still under way is dropped, and its answer never shown. */
static void
cancel_lookup (WwCheckPage *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_busy (self, FALSE);
}

static void
show_form_error (WwCheckPage *self,
                 const char  *text,
                 GtkWidget   *focus)
{
  gtk_label_set_text (self->form_error, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->form_error), text != NULL);
  if (focus != NULL)
    gtk_widget_grab_focus (focus);
}

/* The answer ------------------------------------------------------------------ */

static void
set_optional_label (GtkLabel   *label,
                    const char *text)
{
  gtk_label_set_text (label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL);
}

static void
show_status (WwCheckPage         *self,
             const WwRelayStatus *status)
{
  g_autofree char *time = NULL;
  g_autofree char *reference = NULL;
  const char *icon = NULL;
  const char *tone = NULL;   /* libadwaita's colour for it, if any */
  const char *title = NULL;
  const char *body = NULL;
  const char *next = NULL;

  if (status->answer_time != NULL)
    time = ww_gui_format_appointment_time (status->answer_time);

  switch (status->status)
    {
    case WW_RELAY_BOOKING_RECEIVED:
      icon = "mail-send-symbolic";
      title = _("Your request has arrived");
      body = _("The appointment service has your request. The provider has not seen it yet. "
               "Please check again later.");
      break;

    case WW_RELAY_BOOKING_DELIVERED:
      icon = "mail-send-receive-symbolic";
      title = _("The provider has your request");
      body = _("They have not answered yet. Please check again later.");
      break;

    case WW_RELAY_BOOKING_ACCEPTED:
      icon = "emblem-ok-symbolic";
      tone = "success";
      title = _("Your appointment is confirmed");
      body = _("The provider has accepted your request and expects you then. If you cannot "
               "come, please let them know.");
      break;

    case WW_RELAY_BOOKING_PROPOSED:
      icon = "appointment-soon-symbolic";
      tone = "accent";
      title = _("The provider suggests another time");
      body = _("They cannot see you at the time you asked for, and suggest this time instead. "
               "Please contact them to take it or to find another one.");
      break;

    case WW_RELAY_BOOKING_DECLINED:
      icon = "mail-reply-sender-symbolic";
      title = _("The provider cannot take your request");
      body = _("They have answered that they cannot give you an appointment this time.");
      next = _("You can look for another provider from the start page.");
      break;

    case WW_RELAY_BOOKING_UNDELIVERABLE:
      icon = "dialog-warning-symbolic";
      tone = "warning";
      title = _("Your request could not be delivered");
      body = _("The appointment service could not reach the provider. Please contact them "
               "directly; you can find how on their page in the directory.");
      break;

    default:
      g_return_if_reached ();
    }

  gtk_image_set_from_icon_name (self->answer_icon, icon);
  gtk_widget_remove_css_class (GTK_WIDGET (self->answer_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->answer_icon), "accent");
  gtk_widget_remove_css_class (GTK_WIDGET (self->answer_icon), "warning");
  if (tone != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->answer_icon), tone);
  gtk_label_set_text (self->answer_title, title);
  set_optional_label (self->answer_time, time);
  gtk_label_set_text (self->answer_body, body);
  gtk_label_set_text (self->answer_reason, status->answer_reason ? status->answer_reason : "");
  gtk_widget_set_visible (self->reason_box, status->answer_reason != NULL);
  set_optional_label (self->answer_next, next);
  /* Translators: shown under the answer; %s is a code like K7QHM2XR */
  reference = g_strdup_printf (_("Reference code: %s"), status->reference);
  gtk_label_set_text (self->answer_reference, reference);

  gtk_stack_set_visible_child_name (self->steps, "answer");
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
  gtk_widget_grab_focus (GTK_WIDGET (self->done_button));
}

static void
show_lookup_error (WwCheckPage  *self,
                   const GError *error,
                   guint         retry_after)
{
  g_autofree char *locked = NULL;
  const char *text;

  if (g_error_matches (error, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_NOT_FOUND))
    {
      text = _("No request was found with this reference code and PIN. Please check both and "
               "try again.");
    }
  else if (g_error_matches (error, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_LOCKED))
    {
      guint minutes = (retry_after + 59) / 60;

      if (minutes > 0)
        locked = g_strdup_printf (ngettext ("Checking is paused for a while, because a wrong PIN "
                                            "was tried too often. Please try again in %u minute.",
                                            "Checking is paused for a while, because a wrong PIN "
                                            "was tried too often. Please try again in %u minutes.",
                                            minutes),
                                  minutes);
      else
        locked = g_strdup (_("Checking is paused for a while, because a wrong PIN was tried too "
                             "often. Please try again later."));
      text = locked;
    }
  else if (g_error_matches (error, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_UNREACHABLE))
    {
      text = _("The appointment service cannot be reached right now. Please try again later.");
    }
  else
    {
      /* the details are for an administrator; they name no request */
      g_message ("Checking a request: %s", error->message);
      text = _("Something went wrong while checking. Please try again later, or ask a member "
               "of staff for help.");
    }

  show_form_error (self, text, GTK_WIDGET (self->reference_entry));
}

static void
looked_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(WwCheckPage) self = user_data;
  g_autoptr(WwRelayStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  guint retry_after = 0;

  status = ww_relay_client_lookup_finish (WW_RELAY_CLIENT (object), result, &retry_after, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);
  if (status == NULL)
    {
      show_lookup_error (self, error, retry_after);
      return;
    }

  /* the PIN has done its work */
  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
  show_form_error (self, NULL, NULL);
  show_status (self, status);
}

/* Callbacks ------------------------------------------------------------------- */

static void
reference_activate_cb (WwCheckPage *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->pin_entry));
}

static void
check_clicked_cb (WwCheckPage *self)
{
  g_autofree char *reference = NULL;
  g_autofree char *pin = NULL;

  if (self->busy || self->client == NULL)
    return;

  /* said here, in the visitor's words, before anything is sent */
  reference = ww_relay_normalize_reference (gtk_editable_get_text (GTK_EDITABLE (self->reference_entry)));
  if (reference == NULL)
    {
      show_form_error (self, _("A reference code has 8 characters: the digits 2 to 9 and the "
                               "letters A to Z, without I, L and O. Please check what you typed."),
                       GTK_WIDGET (self->reference_entry));
      return;
    }
  pin = ww_relay_normalize_pin (gtk_editable_get_text (GTK_EDITABLE (self->pin_entry)));
  if (pin == NULL)
    {
      show_form_error (self, _("A PIN has 6 digits. Please check what you typed."),
                       GTK_WIDGET (self->pin_entry));
      return;
    }

  show_form_error (self, NULL, NULL);
  set_busy (self, TRUE);
  ww_relay_client_lookup_async (self->client, reference, pin, self->cancellable,
                                looked_up_cb, g_object_ref (self));
  /* the copy, not what the entry holds */
  memset (pin, 0, strlen (pin));
}

static void
again_clicked_cb (WwCheckPage *self)
{
  ww_check_page_start (self, NULL);
}

static void
done_clicked_cb (WwCheckPage *self)
{
  ww_check_page_clear (self);
  g_signal_emit (self, signals[SIGNAL_DONE], 0);
}

/* GObject ----------------------------------------------------------------------- */

static void
ww_check_page_dispose (GObject *object)
{
  WwCheckPage *self = (WwCheckPage *)object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  gtk_widget_dispose_template (GTK_WIDGET (self), WW_TYPE_CHECK_PAGE);

  G_OBJECT_CLASS (ww_check_page_parent_class)->dispose (object);
}

static void
ww_check_page_class_init (WwCheckPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ww_check_page_dispose;

  /**
   * WwCheckPage::done:
   *
   * The visitor has read the answer; the page is empty again.
   */
  signals[SIGNAL_DONE] =
    g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/nl/wegwijzer/Wegwijzer/ww-check-page.ui");
  gtk_widget_class_bind_template_child (widget_class, WwCheckPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, WwCheckPage, steps);
  gtk_widget_class_bind_template_child (widget_class, WwCheckPage, reference_entry);
  gtk_widget_class_bind_template_child (widget_class, WwCheckPage, pin_entry);
  gtk_widget_class_bind_template_child (widget_class, WwCheckPage, form_error);
  gtk_widget_class_bind_template_child (widget_class, WwCheckPage, check_button);
  gtk_widget_class_bind_template_child (widget_class, WwCheckPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, WwCheckPage, answer_icon);
  gtk_widget_class_bind_template_child (widget_class, WwCheckPage, answer_title);
  gtk_widget_class_bind_template_child (widget_class, WwCheckPage, answer_time);
  gtk_widget_class_bind_template_child (widget_class, WwCheckPage, answer_body);
  gtk_widget_class_bind_template_child (widget_class, WwCheckPage, reason_box);
  gtk_widget_class_bind_template_child (widget_class, WwCheckPage, answer_reason);
  gtk_widget_class_bind_template_child (widget_class, WwCheckPage, answer_next);
  gtk_widget_class_bind_template_child (widget_class, WwCheckPage, answer_reference);
  gtk_widget_class_bind_template_child (widget_class, WwCheckPage, again_button);
  gtk_widget_class_bind_template_child (widget_class, WwCheckPage, done_button);
  gtk_widget_class_bind_template_callback (widget_class, reference_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, check_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, again_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, done_clicked_cb);
}

static void
ww_check_page_init (WwCheckPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  ww_gui_set_accessible_label (GTK_WIDGET (self->reference_entry), _("Reference code"));
  ww_gui_set_accessible_label (GTK_WIDGET (self->pin_entry), _("PIN"));
  ww_gui_set_accessible_label (GTK_WIDGET (self->check_button), _("Check"));
  ww_gui_set_accessible_label (GTK_WIDGET (self->again_button), _("Check another request"));
  ww_gui_set_accessible_label (GTK_WIDGET (self->done_button), _("Done"));

  ww_check_page_clear (self);
}

/* Public ------------------------------------------------------------------------ */

void
ww_check_page_set_relay (WwCheckPage   *self,
                         WwRelayClient *client)
{
  g_return_if_fail (WW_IS_CHECK_PAGE (self));
  g_return_if_fail (client == NULL || WW_IS_RELAY_CLIENT (client));

  cancel_lookup (self);
  g_set_object (&self->client, client);
  set_busy (self, FALSE);
}

void
ww_check_page_start (WwCheckPage *self,
                     const char  *reference)
{
  g_return_if_fail (WW_IS_CHECK_PAGE (self));

  ww_check_page_clear (self);
  if (reference != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->reference_entry), reference);
  gtk_widget_grab_focus (reference != NULL ? GTK_WIDGET (self->pin_entry)
                                           : GTK_WIDGET (self->reference_entry));
}

void
ww_check_page_clear (WwCheckPage *self)
{
  g_return_if_fail (WW_IS_CHECK_PAGE (self));

  cancel_lookup (self);

  gtk_editable_set_text (GTK_EDITABLE (self->reference_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
  show_form_error (self, NULL, NULL);

  gtk_label_set_text (self->answer_title, "");
  set_optional_label (self->answer_time, NULL);
  gtk_label_set_text (self->answer_body, "");
  gtk_label_set_text (self->answer_reason, "");
  gtk_widget_set_visible (self->reason_box, FALSE);
  set_optional_label (self->answer_next, NULL);
  gtk_label_set_text (self->answer_reference, "");

  gtk_stack_set_visible_child_name (self->steps, "form");
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
}

const char *
ww_check_page_get_step (WwCheckPage *self)
{
  g_return_val_if_fail (WW_IS_CHECK_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->steps);
}

gboolean
ww_check_page_get_busy (WwCheckPage *self)
{
  g_return_val_if_fail (WW_IS_CHECK_PAGE (self), FALSE);

  return self->busy;
}
