"""REST API of a person's own notifications and preferences (API.md: notifications/)."""

from __future__ import annotations

from django.db import transaction
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from polyplus.notifications import selectors, services
from polyplus.notifications.kinds import Delivery, EventKind
from polyplus.notifications.models import Notification
from polyplus.tenancy.api_common import TenantApiViewMixin
from polyplus.tenancy.scoping import get_or_404


class NotificationSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(EventKind.choices, read_only=True)
    case = serializers.IntegerField(source="case_id", read_only=True, allow_null=True,
                                    help_text="The case it is about (id), when it is about one.")
    read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "case", "title", "body", "url", "created_at", "read", "read_at"]
        read_only_fields = fields


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False,
                                max_length=100,
                                help_text="Your notifications to mark read (up to 100); all unread when left out.")


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class UnreadSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(EventKind.choices, error_messages={
        "invalid_choice": "“{input}” is not a kind of notification."})
    label = serializers.CharField(read_only=True)
    delivery = serializers.ChoiceField(Delivery.choices, error_messages={
        "invalid_choice": "Choose immediate, digest or off."})


class NotificationViewSet(TenantApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """The signed-in person's own notifications, newest first (`?read=false` for the unread)."""

    queryset = Notification.objects.none()
    serializer_class = NotificationSerializer
    filter_backends = []
    checks_role_per_object = False

    def get_queryset(self):
        notifications = selectors.notifications_of(self.request.user)
        read = self.request.query_params.get("read")
        if read in ("true", "false"):
            notifications = notifications.filter(read_at__isnull=read == "false")
        elif read is not None:
            raise serializers.ValidationError({"read": ["Use true or false."]})
        return notifications

    def get_object(self):
        return get_or_404(selectors.notifications_of(self.request.user), pk=self.kwargs["pk"])

    @extend_schema(request=None, responses=NotificationSerializer, operation_id="notifications_mark_read")
    @action(detail=True, methods=["post"], url_path="mark-read")
    def mark_read(self, request, pk=None):
        """Mark one of your notifications read."""
        notification = self.get_object()
        services.notifications_mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=MarkReadSerializer, responses=MarkedSerializer, operation_id="notifications_mark_all_read")
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_all_read(self, request):
        """Mark the given notifications of yours read (all unread ones without `ids`)."""
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = services.notifications_mark_read(user=request.user, ids=serializer.validated_data.get("ids"))
        return Response({"marked": marked, "unread": selectors.unread_count(request.user)})

    @extend_schema(responses=UnreadSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count", pagination_class=None)
    def unread_count(self, request):
        """How many of your notifications are unread."""
        return Response({"unread": selectors.unread_count(request.user)})


class PreferencesView(TenantApiViewMixin, APIView):
    """How you hear of each kind of event: `immediate` (mail at once), `digest` (one mail a day), `off`.
    Every kind is listed; PUT (or PATCH) the kinds to change."""

    @extend_schema(responses=PreferenceSerializer(many=True))
    def get(self, request):
        return Response(PreferenceSerializer(selectors.preferences_of(request.user), many=True).data)

    @extend_schema(request=PreferenceSerializer(many=True), responses=PreferenceSerializer(many=True))
    def put(self, request):
        serializer = PreferenceSerializer(data=request.data, many=True)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            for item in serializer.validated_data:
                services.preference_set(user=request.user, kind=item["kind"], delivery=item["delivery"])
        return Response(PreferenceSerializer(selectors.preferences_of(request.user), many=True).data)

    @extend_schema(request=PreferenceSerializer(many=True), responses=PreferenceSerializer(many=True))
    def patch(self, request):
        return self.put(request)


urlpatterns = [path("notifications/preferences/", PreferencesView.as_view(), name="api-notification-preferences")]


def register(router) -> None:
    router.register("notifications", NotificationViewSet, basename="notification")
