/* ww-booking-page.c: asking a provider for an appointment
 *
 * Three steps in one page: the form (built from the questions the
 * provider's theme asks), a check of exactly what the provider will see
 * with a consent in plain words, and the reference code and PIN once the
 * relay has the request, with a QR code of the relay's status page for
 * the visitor's phone. The form depends on the theme, so it is built in
 * code.
 *
 * Nothing personal outlives the visit: entries keep no undo history,
 * "Done", the start page and a new provider empty every entry and free
 * the request, and the code is shown once and kept nowhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-booking-page"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "ww-booking-page.h"
#include "ww-gui-util.h"
#include "ww-qr-code.h"

/* about a third of the page's width: read from a step away */
#define QR_CODE_MAX_PIXELS 240

typedef struct {
  WwFormField *field;
  GtkWidget   *entry;      /* text, phone, email */
  GtkTextView *text_view;  /* multiline */
  GPtrArray   *checks;     /* choice, multi-choice: one per choice, in order */
} FieldWidgets;

struct _WwBookingPage
{
  GtkWidget          parent_instance;

  WwOutbox          *outbox;
  WwRelayClient     *client;
  WwProvider        *provider;
  WwPlugin          *plugin;
  WwBookingRequest  *request;
  GCancellable      *cancellable;
  GPtrArray         *fields;  /* FieldWidgets */
  gboolean           sending;
  gboolean           rejected;   /* refused for good: only Change helps */
  char              *waiting_id; /* the request saved, not sent yet, whose
                                  * code this page shows once it is */

  GtkScrolledWindow *scroller;
  GtkStack          *steps;

  /* form */
  GtkLabel          *form_title;
  GtkBox            *fields_box;
  GtkCheckButton    *day_part_checks[3];
  GtkCheckButton    *contact_checks[5];  /* by WwContactMethod */
  GtkRevealer       *contact_revealer;
  GtkLabel          *contact_entry_label;
  GtkEntry          *contact_entry;
  GtkEntry          *name_entry;
  GtkLabel          *form_error;

  /* check */
  GtkLabel          *check_title;
  GtkListBox        *preview_list;
  GtkCheckButton    *consent_check;
  GtkLabel          *consent_label;
  GtkLabel          *send_error;
  GtkSpinner        *send_spinner;
  GtkButton         *change_button;
  GtkButton         *send_button;

  /* sent */
  GtkLabel          *sent_title;
  GtkBox            *receipt_box;
  GtkLabel          *reference_label;
  GtkLabel          *pin_label;
  GtkWidget         *qr_box;
  GtkPicture        *qr_picture;
  GtkLabel          *saved_label;
  GtkButton         *check_button;
};

G_DEFINE_FINAL_TYPE (WwBookingPage, ww_booking_page, GTK_TYPE_WIDGET)

enum {
  SIGNAL_DONE,
  SIGNAL_CHECK_REQUESTED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static const struct {
  WwDayParts  part;
  const char *label;
} day_parts[] = {
  { WW_DAY_PART_MORNING,   N_("Morning") },
  { WW_DAY_PART_AFTERNOON, N_("Afternoon") },
  { WW_DAY_PART_EVENING,   N_("Evening") },
};

static const char *const contact_choices[] = {
  [WW_CONTACT_METHOD_NONE]           = N_("I’ll check back with a code"),
  [WW_CONTACT_METHOD_PHONE]          = N_("By phone"),
  [WW_CONTACT_METHOD_EMAIL]          = N_("By email"),
  [WW_CONTACT_METHOD_SMS]            = N_("By text message (SMS)"),
  [WW_CONTACT_METHOD_VIA_CASEWORKER] = N_("Through my caseworker"),
};

static void
field_widgets_free (FieldWidgets *widgets)
{
  g_clear_object (&widgets->field);
  g_clear_pointer (&widgets->checks, g_ptr_array_unref);
  g_free (widgets);
}

/* Building ------------------------------------------------------------------- */

static GtkWidget *
new_label (const char *text,
           const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);

  return label;
}

static GtkBox *
new_step (GtkStack   *steps,
          const char *name)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);

  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_stack_add_named (steps, box, name);

  return GTK_BOX (box);
}

/* A heading and the controls below it. */
static GtkBox *
new_question (GtkBox     *parent,
              const char *heading)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  gtk_box_append (GTK_BOX (box), new_label (heading, "heading"));
  gtk_box_append (parent, box);

  return GTK_BOX (box);
}

/* A check button whose text wraps: choice labels can be long. */
static GtkCheckButton *
new_check (GtkBox         *box,
           const char     *text,
           GtkCheckButton *group)
{
  GtkWidget *check = gtk_check_button_new ();

  gtk_check_button_set_child (GTK_CHECK_BUTTON (check), new_label (text, NULL));
  if (group != NULL)
    gtk_check_button_set_group (GTK_CHECK_BUTTON (check), group);
  ww_gui_set_accessible_label (check, text);
  gtk_box_append (box, check);

  return GTK_CHECK_BUTTON (check);
}

/* No spelling help learning what is typed, and no undo history that
 * would keep it after the entry is emptied. */
static GtkEntry *
new_entry (GtkBox     *box,
           const char *accessible_label,
           guint       max_chars)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_max_length (GTK_ENTRY (entry), (int) max_chars);
  /* its width follows the page, not the longest text it may hold */
  gtk_editable_set_width_chars (GTK_EDITABLE (entry), 12);
  gtk_entry_set_input_hints (GTK_ENTRY (entry), GTK_INPUT_HINT_NO_SPELLCHECK | GTK_INPUT_HINT_PRIVATE);
  gtk_editable_set_enable_undo (GTK_EDITABLE (entry), FALSE);
  ww_gui_set_accessible_label (entry, accessible_label);
  gtk_box_append (box, entry);

  return GTK_ENTRY (entry);
}

static void
limit_text_cb (GtkTextBuffer *buffer,
               GtkTextIter   *location,
               const char    *text,
               int            length,
               gpointer       user_data)
{
  guint max_chars = GPOINTER_TO_UINT (user_data);

  if ((guint) gtk_text_buffer_get_char_count (buffer) + (guint) g_utf8_strlen (text, length) > max_chars)
    g_signal_stop_emission_by_name (buffer, "insert-text");
}

static void
add_field (WwBookingPage *self,
           WwFormField   *field)
{
  FieldWidgets *widgets = g_new0 (FieldWidgets, 1);
  const char *label = ww_form_field_get_label (field);
  guint max_chars = ww_form_field_get_max_length (field);
  GtkBox *box = new_question (self->fields_box, label);
  GtkCheckButton *group = NULL;

  if (max_chars == 0 || max_chars > WW_BOOKING_FIELD_MAX_CHARS)
    max_chars = WW_BOOKING_FIELD_MAX_CHARS;
  widgets->field = g_object_ref (field);

  switch (ww_form_field_get_field_type (field))
    {
    case WW_FORM_FIELD_CHOICE:
    case WW_FORM_FIELD_MULTI_CHOICE:
      widgets->checks = g_ptr_array_new ();
      for (guint i = 0; i < ww_form_field_get_n_choices (field); i++)
        {
          GtkCheckButton *check = new_check (box, ww_form_field_get_choice_label (field, i), group);

          /* one answer: radio buttons; several: check boxes */
          if (ww_form_field_get_field_type (field) == WW_FORM_FIELD_CHOICE && group == NULL)
            group = check;
          g_ptr_array_add (widgets->checks, check);
        }
      break;
    case WW_FORM_FIELD_MULTILINE:
      {
        GtkWidget *frame = gtk_frame_new (NULL);
        GtkWidget *view = gtk_text_view_new ();
        GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
        g_autofree char *limit = g_strdup_printf (_("At most %u characters."), max_chars);

        gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
        gtk_text_view_set_input_hints (GTK_TEXT_VIEW (view), GTK_INPUT_HINT_NO_SPELLCHECK | GTK_INPUT_HINT_PRIVATE);
        gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
        gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 6);
        gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
        gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 6);
        gtk_widget_set_size_request (view, -1, 96);
        gtk_text_buffer_set_enable_undo (buffer, FALSE);
        g_signal_connect (buffer, "insert-text", G_CALLBACK (limit_text_cb), GUINT_TO_POINTER (max_chars));
        ww_gui_set_accessible_label (view, label);
        gtk_frame_set_child (GTK_FRAME (frame), view);
        gtk_box_append (box, frame);
        gtk_box_append (box, new_label (limit, "dim-label"));
        widgets->text_view = GTK_TEXT_VIEW (view);
      }
      break;
    case WW_FORM_FIELD_TEXT:
    case WW_FORM_FIELD_PHONE:
    case WW_FORM_FIELD_EMAIL:
    default:
      widgets->entry = GTK_WIDGET (new_entry (box, label, max_chars));
      if (ww_form_field_get_field_type (field) == WW_FORM_FIELD_PHONE)
        gtk_entry_set_input_purpose (GTK_ENTRY (widgets->entry), GTK_INPUT_PURPOSE_PHONE);
      else if (ww_form_field_get_field_type (field) == WW_FORM_FIELD_EMAIL)
        gtk_entry_set_input_purpose (GTK_ENTRY (widgets->entry), GTK_INPUT_PURPOSE_EMAIL);
      break;
    }

  g_ptr_array_add (self->fields, widgets);
}

static WwContactMethod
get_contact_method (WwBookingPage *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->contact_checks); i++)
    if (gtk_check_button_get_active (self->contact_checks[i]))
      return (WwContactMethod) i;

  return WW_CONTACT_METHOD_NONE;
}

static void
contact_toggled_cb (WwBookingPage *self)
{
  WwContactMethod method = get_contact_method (self);
  const char *label = NULL;

  switch (method)
    {
    case WW_CONTACT_METHOD_PHONE:
      label = _("Phone number");
      gtk_entry_set_input_purpose (self->contact_entry, GTK_INPUT_PURPOSE_PHONE);
      break;
    case WW_CONTACT_METHOD_SMS:
      label = _("Mobile number for text messages");
      gtk_entry_set_input_purpose (self->contact_entry, GTK_INPUT_PURPOSE_PHONE);
      break;
    case WW_CONTACT_METHOD_EMAIL:
      label = _("Email address");
      gtk_entry_set_input_purpose (self->contact_entry, GTK_INPUT_PURPOSE_EMAIL);
      break;
    case WW_CONTACT_METHOD_NONE:
    case WW_CONTACT_METHOD_VIA_CASEWORKER:
    default:
      break;
    }

  if (label != NULL)
    {
      gtk_label_set_text (self->contact_entry_label, label);
      ww_gui_set_accessible_label (GTK_WIDGET (self->contact_entry), label);
    }
  gtk_revealer_set_reveal_child (self->contact_revealer, label != NULL);
}

/* Reading the form ----------------------------------------------------------- */

/* Personal text, overwritten before it is freed. */
static void
wipe_string (char *string)
{
  if (string != NULL)
    memset (string, 0, strlen (string));
  g_free (string);
}

static WwBookingRequest *
read_form (WwBookingPage *self)
{
  WwBookingRequest *request = ww_booking_request_new (ww_provider_get_id (self->provider));
  WwContactMethod method = get_contact_method (self);
  WwDayParts parts = WW_DAY_PART_NONE;

  for (guint i = 0; i < self->fields->len; i++)
    {
      FieldWidgets *widgets = g_ptr_array_index (self->fields, i);
      const char *id = ww_form_field_get_id (widgets->field);

      if (widgets->checks != NULL)
        {
          g_autoptr(GString) ids = g_string_new (NULL);

          for (guint j = 0; j < widgets->checks->len; j++)
            if (gtk_check_button_get_active (g_ptr_array_index (widgets->checks, j)))
              {
                if (ids->len > 0)
                  g_string_append_c (ids, ',');
                g_string_append (ids, ww_form_field_get_choice_id (widgets->field, j));
              }
          ww_booking_request_set_field (request, id, ids->str);
        }
      else if (widgets->text_view != NULL)
        {
          GtkTextBuffer *buffer = gtk_text_view_get_buffer (widgets->text_view);
          GtkTextIter start, end;
          char *text;

          gtk_text_buffer_get_bounds (buffer, &start, &end);
          text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
          ww_booking_request_set_field (request, id, text);
          wipe_string (text);
        }
      else
        {
          ww_booking_request_set_field (request, id, gtk_editable_get_text (GTK_EDITABLE (widgets->entry)));
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (day_parts); i++)
    if (gtk_check_button_get_active (self->day_part_checks[i]))
      parts |= day_parts[i].part;
  ww_booking_request_set_day_parts (request, parts);

  if (method == WW_CONTACT_METHOD_PHONE || method == WW_CONTACT_METHOD_EMAIL ||
      method == WW_CONTACT_METHOD_SMS)
    {
      const char *value = gtk_editable_get_text (GTK_EDITABLE (self->contact_entry));

      ww_booking_request_set_contact (request, method, *value != '\0' ? value : NULL);
    }
  else
    {
      ww_booking_request_set_contact (request, method, NULL);
    }

  ww_booking_request_set_name (request, gtk_editable_get_text (GTK_EDITABLE (self->name_entry)));

  return request;
}

/* The validation message starts with the label of what is wrong; the
 * control with that label gets the focus. */
static GtkWidget *
find_control_for_error (WwBookingPage *self,
                        const GError  *error)
{
  if (g_error_matches (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_INVALID_NAME))
    return GTK_WIDGET (self->name_entry);
  if (g_error_matches (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_MISSING_CONTACT) ||
      g_error_matches (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_UNEXPECTED_CONTACT))
    return GTK_WIDGET (self->contact_entry);

  for (guint i = 0; i < self->fields->len; i++)
    {
      FieldWidgets *widgets = g_ptr_array_index (self->fields, i);
      g_autofree char *prefix = g_strdup_printf ("%s:", ww_form_field_get_label (widgets->field));

      if (!g_str_has_prefix (error->message, prefix))
        continue;
      if (widgets->checks != NULL)
        return widgets->checks->len > 0 ? g_ptr_array_index (widgets->checks, 0) : NULL;
      if (widgets->text_view != NULL)
        return GTK_WIDGET (widgets->text_view);
      return widgets->entry;
    }

  /* what is left (a phone number or email address that does not look
   * like one) is about the contact details */
  return gtk_revealer_get_reveal_child (self->contact_revealer) ? GTK_WIDGET (self->contact_entry) : NULL;
}

static void
show_form_error (WwBookingPage *self,
                 const GError  *error)
{
  GtkWidget *control = find_control_for_error (self, error);

  /* The messages of the booking checks are English for now (see
   * ww-booking.c); they name the question in the words of the form. */
  gtk_label_set_text (self->form_error, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->form_error), TRUE);
  if (control != NULL)
    gtk_widget_grab_focus (control);
}

static void
continue_clicked_cb (WwBookingPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  GtkWidget *child;

  g_clear_object (&self->request);
  self->request = read_form (self);

  /* Consent is asked for on the next step, and is checked last: a
   * request whose only fault is that it has none is complete. */
  if (!ww_booking_request_validate (self->request, self->plugin, &error) &&
      !g_error_matches (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_NO_CONSENT))
    {
      g_clear_object (&self->request);
      show_form_error (self, error);
      return;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->form_error), FALSE);
  gtk_label_set_text (self->form_error, "");

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->preview_list))) != NULL)
    gtk_list_box_remove (self->preview_list, child);
  lines = ww_booking_request_dup_preview (self->request, self->plugin);
  for (guint i = 0; i < lines->len; i++)
    {
      WwBookingPreviewLine *line = g_ptr_array_index (lines, i);
      GtkWidget *row = adw_action_row_new ();

      /* plain text: what was typed may hold "&" and "<" */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), line->label);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), line->value);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_list_box_append (self->preview_list, row);
    }
  /* the provider is sent these very lines */
  ww_booking_request_set_preview (self->request, lines);

  gtk_check_button_set_active (self->consent_check, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->send_error), FALSE);
  gtk_stack_set_visible_child_name (self->steps, "check");
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
  gtk_widget_grab_focus (GTK_WIDGET (self->consent_check));
}

/* Checking and sending ------------------------------------------------------- */

static void
update_send_sensitivity (WwBookingPage *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->send_button),
                            !self->sending && !self->rejected &&
                            gtk_check_button_get_active (self->consent_check));
  gtk_widget_set_sensitive (GTK_WIDGET (self->change_button), !self->sending);
  gtk_widget_set_sensitive (GTK_WIDGET (self->consent_check), !self->sending);
  gtk_spinner_set_spinning (self->send_spinner, self->sending);
  gtk_widget_set_visible (GTK_WIDGET (self->send_spinner), self->sending);
}

static void
change_clicked_cb (WwBookingPage *self)
{
  /* the form still holds what was entered; a new request is made from it */
  g_clear_object (&self->request);
  self->rejected = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->send_error), FALSE);
  gtk_stack_set_visible_child_name (self->steps, "form");
}

static void
show_send_error (WwBookingPage *self,
                 const char    *text)
{
  gtk_label_set_text (self->send_error, text);
  gtk_widget_set_visible (GTK_WIDGET (self->send_error), TRUE);
}

/* The status page's address, for the visitor's phone; nothing when the
 * relay gave none, or it cannot be a QR code. */
static void
show_qr_code (WwBookingPage *self,
              const char    *status_url)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  if (status_url != NULL)
    {
      texture = ww_qr_code_new_texture (status_url, QR_CODE_MAX_PIXELS, NULL, NULL, &error);
      if (texture == NULL)
        g_message ("No QR code for the status page: %s", error->message);
    }

  gtk_picture_set_paintable (self->qr_picture, GDK_PAINTABLE (texture));
  gtk_widget_set_visible (self->qr_box, texture != NULL);
}

static void
show_sent (WwBookingPage        *self,
           const WwRelayReceipt *receipt)
{
  gboolean have_code = receipt != NULL;

  self->sending = FALSE;
  update_send_sensitivity (self);
  /* The request has left the kiosk, or waits in the outbox; in that
   * case its code is shown here if it is sent while the page is open. */
  g_clear_pointer (&self->waiting_id, g_free);
  if (!have_code && self->request != NULL)
    self->waiting_id = g_strdup (ww_booking_request_get_id (self->request));
  g_clear_object (&self->request);

  gtk_label_set_text (self->sent_title, have_code ? _("Your request has been sent")
                                                  : _("Your request is saved"));
  gtk_label_set_text (self->reference_label, have_code ? receipt->reference : "");
  gtk_label_set_text (self->pin_label, have_code ? receipt->pin : "");
  show_qr_code (self, have_code ? receipt->status_url : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->receipt_box), have_code);
  gtk_widget_set_visible (GTK_WIDGET (self->saved_label), !have_code);
  gtk_widget_set_visible (GTK_WIDGET (self->check_button), have_code);
  gtk_stack_set_visible_child_name (self->steps, "sent");
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
}

/* The background sender got a request through: if it is the one this
 * page said was saved, its visitor can have the code now. */
static void
request_sent_cb (WwRelayClient  *client,
                 const char     *id,
                 WwRelayReceipt *receipt,
                 WwBookingPage  *self)
{
  if (self->waiting_id == NULL || g_strcmp0 (id, self->waiting_id) != 0 ||
      g_strcmp0 (gtk_stack_get_visible_child_name (self->steps), "sent") != 0)
    return;

  show_sent (self, receipt);
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(WwBookingPage) self = user_data;
  g_autoptr(WwRelayReceipt) receipt = NULL;
  g_autoptr(GError) error = NULL;

  receipt = ww_relay_client_send_finish (WW_RELAY_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !self->sending ||
      self->request == NULL)
    return;

  if (receipt != NULL)
    {
      show_sent (self, receipt);
      return;
    }

  if (g_error_matches (error, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_REJECTED))
    {
      /* the reason is for an administrator; the request itself is erased */
      g_message ("Sending a request: %s", error->message);
      self->sending = FALSE;
      self->rejected = TRUE;
      update_send_sensitivity (self);
      show_send_error (self, _("The appointment service did not accept this request, so it "
                               "was not sent. Please ask a member of staff for help."));
      return;
    }

  /* Not delivered yet (the connection, or the service, is down): the
   * outbox keeps it and sends it later. */
  if (error != NULL && !g_error_matches (error, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_RETRY))
    g_message ("Sending a request: %s", error->message);
  show_sent (self, NULL);
}

static void
send_clicked_cb (WwBookingPage *self)
{
  g_autoptr(GError) error = NULL;

  if (self->request == NULL || self->sending)
    return;

  if (self->outbox == NULL || self->client == NULL)
    {
      show_send_error (self, _("This screen cannot send requests. Please ask a member of staff for help."));
      return;
    }

  ww_booking_request_set_consent (self->request, gtk_check_button_get_active (self->consent_check));
  if (!ww_booking_request_validate (self->request, self->plugin, &error))
    {
      show_send_error (self, error->message);
      return;
    }

  /* One small synced insert on this thread: the request is safe on disk
   * before anything is said about it. */
  if (!ww_outbox_enqueue (self->outbox, self->request, &error))
    {
      g_message ("Could not keep the request in the outbox: %s", error->message);
      show_send_error (self, _("The request could not be saved on this screen, so it was not "
                               "sent. Please ask a member of staff for help."));
      return;
    }

  self->sending = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->send_error), FALSE);
  update_send_sensitivity (self);
  /* this visitor's own request, not whichever waited longest */
  ww_relay_client_send_async (self->client, self->outbox, ww_booking_request_get_id (self->request),
                              self->cancellable, sent_cb, g_object_ref (self));
}

static void
done_clicked_cb (WwBookingPage *self)
{
  ww_booking_page_clear (self);
  g_signal_emit (self, signals[SIGNAL_DONE], 0);
}

static void
check_clicked_cb (WwBookingPage *self)
{
  g_autofree char *reference = g_strdup (gtk_label_get_text (self->reference_label));

  /* the code is shown once: the check page starts from the reference only */
  ww_booking_page_clear (self);
  g_signal_emit (self, signals[SIGNAL_CHECK_REQUESTED], 0, reference);
}

/* The steps ------------------------------------------------------------------ */

static void
build_form_step (WwBookingPage *self)
{
  GtkBox *step = new_step (self->steps, "form");
  GtkBox *question;
  GtkWidget *button;
  GtkWidget *revealed;

  self->form_title = GTK_LABEL (new_label (NULL, "title-1"));
  gtk_box_append (step, GTK_WIDGET (self->form_title));
  gtk_box_append (step, new_label (_("Fill in only what you want to share. You will see "
                                     "everything before it is sent."), "dim-label"));

  self->fields_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 18));
  gtk_box_append (step, GTK_WIDGET (self->fields_box));

  question = new_question (step, _("When suits you?"));
  gtk_box_append (question, new_label (_("Leave these empty if any time of day suits you."), "dim-label"));
  for (guint i = 0; i < G_N_ELEMENTS (day_parts); i++)
    self->day_part_checks[i] = new_check (question, _(day_parts[i].label), NULL);

  question = new_question (step, _("How can they reach you?"));
  for (guint i = 0; i < G_N_ELEMENTS (contact_choices); i++)
    {
      self->contact_checks[i] = new_check (question, _(contact_choices[i]),
                                           i > 0 ? self->contact_checks[0] : NULL);
      g_signal_connect_swapped (self->contact_checks[i], "toggled",
                                G_CALLBACK (contact_toggled_cb), self);
    }
  revealed = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_top (revealed, 6);
  self->contact_entry_label = GTK_LABEL (new_label (NULL, NULL));
  gtk_box_append (GTK_BOX (revealed), GTK_WIDGET (self->contact_entry_label));
  self->contact_entry = new_entry (GTK_BOX (revealed), _("Phone number"), WW_BOOKING_CONTACT_MAX_CHARS);
  self->contact_revealer = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_child (self->contact_revealer, revealed);
  gtk_box_append (question, GTK_WIDGET (self->contact_revealer));

  question = new_question (step, _("What name should they use?"));
  gtk_box_append (question, new_label (_("A working name is fine."), "dim-label"));
  self->name_entry = new_entry (question, _("What name should they use?"), WW_BOOKING_NAME_MAX_CHARS);

  self->form_error = GTK_LABEL (new_label (NULL, "error"));
  gtk_widget_set_visible (GTK_WIDGET (self->form_error), FALSE);
  gtk_box_append (step, GTK_WIDGET (self->form_error));

  button = gtk_button_new_with_label (_("Continue"));
  gtk_widget_add_css_class (button, "suggested-action");
  gtk_widget_add_css_class (button, "pill");
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  ww_gui_set_accessible_label (button, _("Continue"));
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (continue_clicked_cb), self);
  gtk_box_append (step, button);
}

static void
build_check_step (WwBookingPage *self)
{
  GtkBox *step = new_step (self->steps, "check");
  GtkWidget *buttons;

  self->check_title = GTK_LABEL (new_label (NULL, "title-2"));
  gtk_box_append (step, GTK_WIDGET (self->check_title));

  self->preview_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->preview_list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->preview_list), "boxed-list");
  gtk_box_append (step, GTK_WIDGET (self->preview_list));

  self->consent_check = GTK_CHECK_BUTTON (gtk_check_button_new ());
  self->consent_label = GTK_LABEL (new_label (NULL, NULL));
  gtk_check_button_set_child (self->consent_check, GTK_WIDGET (self->consent_label));
  g_signal_connect_swapped (self->consent_check, "toggled", G_CALLBACK (update_send_sensitivity), self);
  gtk_box_append (step, GTK_WIDGET (self->consent_check));

  self->send_error = GTK_LABEL (new_label (NULL, "error"));
  gtk_widget_set_visible (GTK_WIDGET (self->send_error), FALSE);
  gtk_box_append (step, GTK_WIDGET (self->send_error));

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (buttons, GTK_ALIGN_CENTER);
  self->change_button = GTK_BUTTON (gtk_button_new_with_label (_("Change")));
  gtk_widget_add_css_class (GTK_WIDGET (self->change_button), "pill");
  ww_gui_set_accessible_label (GTK_WIDGET (self->change_button), _("Change"));
  g_signal_connect_swapped (self->change_button, "clicked", G_CALLBACK (change_clicked_cb), self);
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->change_button));
  self->send_button = GTK_BUTTON (gtk_button_new_with_label (_("Send")));
  gtk_widget_add_css_class (GTK_WIDGET (self->send_button), "suggested-action");
  gtk_widget_add_css_class (GTK_WIDGET (self->send_button), "pill");
  ww_gui_set_accessible_label (GTK_WIDGET (self->send_button), _("Send"));
  g_signal_connect_swapped (self->send_button, "clicked", G_CALLBACK (send_clicked_cb), self);
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->send_button));
  self->send_spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->send_spinner));
  gtk_box_append (step, buttons);
}

static GtkLabel *
add_code (GtkBox     *box,
          const char *heading)
{
  GtkWidget *label = new_label (NULL, "reference-code");

  gtk_box_append (box, new_label (heading, "heading"));
  /* Looks like something to copy, but is not selectable: a code in the
   * clipboard would outlive the visit. */
  gtk_label_set_xalign (GTK_LABEL (label), 0.5);
  gtk_box_append (box, label);

  return GTK_LABEL (label);
}

static void
build_sent_step (WwBookingPage *self)
{
  GtkBox *step = new_step (self->steps, "sent");
  GtkWidget *button;
  GtkWidget *buttons;
  GtkWidget *qr_label;

  self->sent_title = GTK_LABEL (new_label (NULL, "title-1"));
  gtk_box_append (step, GTK_WIDGET (self->sent_title));

  self->receipt_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 12));
  self->reference_label = add_code (self->receipt_box, _("Your reference code"));
  self->pin_label = add_code (self->receipt_box, _("Your PIN"));
  gtk_box_append (self->receipt_box,
                  new_label (_("Write these down or take a photo: you need both to see the answer."),
                             NULL));

  /* The picture is the size of its texture, whole pixels a module: a
   * scaled code would blur. */
  self->qr_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
  gtk_widget_set_margin_top (self->qr_box, 6);
  self->qr_picture = GTK_PICTURE (gtk_picture_new ());
  gtk_picture_set_can_shrink (self->qr_picture, FALSE);
  gtk_widget_set_halign (GTK_WIDGET (self->qr_picture), GTK_ALIGN_CENTER);
  gtk_widget_set_valign (GTK_WIDGET (self->qr_picture), GTK_ALIGN_CENTER);
  gtk_picture_set_alternative_text (self->qr_picture, _("QR code of the status page address"));
  ww_gui_set_accessible_label (GTK_WIDGET (self->qr_picture), _("QR code of the status page address"));
  gtk_widget_add_css_class (GTK_WIDGET (self->qr_picture), "qr-code");
  gtk_box_append (GTK_BOX (self->qr_box), GTK_WIDGET (self->qr_picture));
  qr_label = new_label (_("Scan this code with your phone to check your request there. "
                          "You will need your PIN."), NULL);
  gtk_widget_set_hexpand (qr_label, TRUE);
  gtk_widget_set_valign (qr_label, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (self->qr_box), qr_label);
  gtk_box_append (self->receipt_box, self->qr_box);
  gtk_box_append (step, GTK_WIDGET (self->receipt_box));

  self->saved_label = GTK_LABEL (new_label (_("There is no connection to the appointment service "
                                              "right now. Your request is saved and will be sent "
                                              "as soon as the connection is back. Your code "
                                              "appears when it has been sent."), NULL));
  gtk_box_append (step, GTK_WIDGET (self->saved_label));

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (buttons, GTK_ALIGN_CENTER);
  self->check_button = GTK_BUTTON (gtk_button_new_with_label (_("Check my request")));
  gtk_widget_add_css_class (GTK_WIDGET (self->check_button), "pill");
  ww_gui_set_accessible_label (GTK_WIDGET (self->check_button), _("Check my request"));
  g_signal_connect_swapped (self->check_button, "clicked", G_CALLBACK (check_clicked_cb), self);
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->check_button));
  button = gtk_button_new_with_label (_("Done"));
  gtk_widget_add_css_class (button, "suggested-action");
  gtk_widget_add_css_class (button, "pill");
  ww_gui_set_accessible_label (button, _("Done"));
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (done_clicked_cb), self);
  gtk_box_append (GTK_BOX (buttons), button);
  gtk_box_append (step, buttons);
}

/* GObject -------------------------------------------------------------------- */

static void
ww_booking_page_dispose (GObject *object)
{
  WwBookingPage *self = (WwBookingPage *)object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer ((GtkWidget **) &self->scroller, gtk_widget_unparent);
  g_clear_object (&self->request);
  g_clear_object (&self->provider);
  g_clear_object (&self->plugin);
  g_clear_object (&self->outbox);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  g_clear_pointer (&self->fields, g_ptr_array_unref);
  g_clear_pointer (&self->waiting_id, g_free);

  G_OBJECT_CLASS (ww_booking_page_parent_class)->dispose (object);
}

static void
ww_booking_page_class_init (WwBookingPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ww_booking_page_dispose;

  /**
   * WwBookingPage::done:
   *
   * The visitor has their code and is finished; the page is empty again.
   */
  signals[SIGNAL_DONE] =
    g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * WwBookingPage::check-requested:
   * @reference: the reference code of the request just sent
   *
   * The visitor wants to check their request; the page is empty again.
   */
  signals[SIGNAL_CHECK_REQUESTED] =
    g_signal_new ("check-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ww_booking_page_init (WwBookingPage *self)
{
  GtkWidget *clamp = adw_clamp_new ();

  self->fields = g_ptr_array_new_with_free_func ((GDestroyNotify) field_widgets_free);
  self->cancellable = g_cancellable_new ();

  self->steps = GTK_STACK (gtk_stack_new ());
  /* Sized by the step on screen: GTK 4.8's stack takes a hidden step's
   * natural width (a long wrapped label's whole line) as its minimum. */
  gtk_stack_set_vhomogeneous (self->steps, FALSE);
  gtk_stack_set_hhomogeneous (self->steps, FALSE);
  build_form_step (self);
  build_check_step (self);
  build_sent_step (self);

  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 640);
  adw_clamp_set_child (ADW_CLAMP (clamp), GTK_WIDGET (self->steps));
  self->scroller = GTK_SCROLLED_WINDOW (gtk_scrolled_window_new ());
  gtk_scrolled_window_set_policy (self->scroller, GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (self->scroller, clamp);
  gtk_widget_set_parent (GTK_WIDGET (self->scroller), GTK_WIDGET (self));

  ww_booking_page_clear (self);
}

/* Public --------------------------------------------------------------------- */

void
ww_booking_page_set_relay (WwBookingPage *self,
                           WwOutbox      *outbox,
                           WwRelayClient *client)
{
  g_return_if_fail (WW_IS_BOOKING_PAGE (self));
  g_return_if_fail (outbox == NULL || WW_IS_OUTBOX (outbox));
  g_return_if_fail (client == NULL || WW_IS_RELAY_CLIENT (client));

  g_set_object (&self->outbox, outbox);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_set_object (&self->client, client);
  if (self->client != NULL)
    g_signal_connect (self->client, "request-sent", G_CALLBACK (request_sent_cb), self);
}

void
ww_booking_page_start (WwBookingPage *self,
                       WwProvider    *provider,
                       WwPlugin      *plugin)
{
  g_autofree char *title = NULL;
  g_autofree char *check_title = NULL;
  g_autofree char *consent = NULL;
  GListModel *form;
  const char *name;

  g_return_if_fail (WW_IS_BOOKING_PAGE (self));
  g_return_if_fail (WW_IS_PROVIDER (provider));
  g_return_if_fail (WW_IS_PLUGIN (plugin));

  /* Back on the form for the same provider: what was entered stays. */
  if (self->provider != NULL && self->plugin == plugin &&
      g_strcmp0 (ww_provider_get_id (self->provider), ww_provider_get_id (provider)) == 0 &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->steps), "sent") != 0)
    {
      gtk_stack_set_visible_child_name (self->steps, "form");
      return;
    }

  ww_booking_page_clear (self);
  g_set_object (&self->provider, provider);
  g_set_object (&self->plugin, plugin);

  name = ww_provider_get_name (provider);
  title = g_strdup_printf (_("Ask %s for an appointment"), name);
  gtk_label_set_text (self->form_title, title);
  check_title = g_strdup_printf (_("This is exactly what %s will see:"), name);
  gtk_label_set_text (self->check_title, check_title);
  consent = g_strdup_printf (_("I agree that Wegwijzer sends this to %s so they can answer me. "
                               "Nothing is kept on this screen after sending."), name);
  gtk_label_set_text (self->consent_label, consent);
  ww_gui_set_accessible_label (GTK_WIDGET (self->consent_check), consent);

  form = ww_plugin_get_form_fields (plugin);
  for (guint i = 0; form != NULL && i < g_list_model_get_n_items (form); i++)
    {
      g_autoptr(WwFormField) field = g_list_model_get_item (form, i);

      add_field (self, field);
    }

  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
}

void
ww_booking_page_clear (WwBookingPage *self)
{
  GtkWidget *child;

  g_return_if_fail (WW_IS_BOOKING_PAGE (self));

  /* A send still under way goes on in the outbox, not on this screen. */
  if (self->sending)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
      self->sending = FALSE;
    }
  self->rejected = FALSE;
  g_clear_object (&self->request);
  g_clear_object (&self->provider);
  g_clear_object (&self->plugin);

  /* the plugin's questions go with their answers; start() builds them */
  g_ptr_array_set_size (self->fields, 0);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->fields_box))) != NULL)
    gtk_box_remove (self->fields_box, child);

  for (guint i = 0; i < G_N_ELEMENTS (self->day_part_checks); i++)
    gtk_check_button_set_active (self->day_part_checks[i], FALSE);
  gtk_check_button_set_active (self->contact_checks[WW_CONTACT_METHOD_NONE], TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->contact_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), "");
  gtk_label_set_text (self->form_error, "");
  gtk_widget_set_visible (GTK_WIDGET (self->form_error), FALSE);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->preview_list))) != NULL)
    gtk_list_box_remove (self->preview_list, child);
  gtk_check_button_set_active (self->consent_check, FALSE);
  gtk_label_set_text (self->send_error, "");
  gtk_widget_set_visible (GTK_WIDGET (self->send_error), FALSE);

  gtk_label_set_text (self->reference_label, "");
  gtk_label_set_text (self->pin_label, "");
  /* the status page's address holds the reference too */
  show_qr_code (self, NULL);
  g_clear_pointer (&self->waiting_id, g_free);

  update_send_sensitivity (self);
  gtk_stack_set_visible_child_name (self->steps, "form");
}

const char *
ww_booking_page_get_step (WwBookingPage *self)
{
  g_return_val_if_fail (WW_IS_BOOKING_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->steps);
}

WwBookingRequest *
ww_booking_page_get_request (WwBookingPage *self)
{
  g_return_val_if_fail (WW_IS_BOOKING_PAGE (self), NULL);

  return self->request;
}

gboolean
ww_booking_page_get_sending (WwBookingPage *self)
{
  g_return_val_if_fail (WW_IS_BOOKING_PAGE (self), FALSE);

  return self->sending;
}
